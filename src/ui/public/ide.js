// GraphiQL, served from the service's own assets (no CDN), with the API's example operations preloaded.
// The examples carry their arguments inline, so each tab runs as it is with the ▶ button.

const CALCULATE = `# Press ▶ (or Ctrl-Enter) to run.
mutation Calculate {
  calculate(input: {
    operation: "add"
    a: 10
    b: 5
  }) {
    operation
    result
    status
    error { code message }
  }
}`;

const BATCH = `mutation Batch {
  batchCalculate(
    inputs: [
      { operation: "multiply", a: 7, b: 8 }
      { operation: "divide", a: 1, b: 0 }
      { operation: "sin", a: 30 }
      { operation: "evaluate", expression: "2 * (3 + 4)" }
    ]
  ) {
    total
    succeeded
    failed
    results { result status error { code message } }
  }
}`;

const OPERATIONS = `query Operations {
  operations { name arity description operands { name required } }
  endpoint { name mode health { status latencyMs } }
}`;

const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: [{ query: CALCULATE }, { query: BATCH }, { query: OPERATIONS }],
    shouldPersistHeaders: false,
  }),
);
