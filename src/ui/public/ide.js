import { pageConfig } from './graphql-client.js';

// GraphiQL, served from the service's own assets (no CDN), with the API's example operations preloaded.
// Each tab runs as it is with the ▶ button.

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

// The batch tab is written as a client would send it: the inputs in a variable (the Variables pane).
const BATCH = `mutation Batch($inputs: [CalculationInput!]!) {
  batchCalculate(inputs: $inputs) {
    total
    succeeded
    failed
    results { operation result status error { code message } }
  }
}`;

const BATCH_VARIABLES = JSON.stringify(
  {
    inputs: [
      { operation: 'multiply', a: 7, b: 8 },
      { operation: 'divide', a: 1, b: 0 },
      { operation: 'sin', a: 30 },
      { operation: 'evaluate', expression: '2 * (3 + 4)' },
    ],
  },
  null,
  2,
);

const OPERATIONS = `query Operations {
  operations { name arity description operands { name required } }
  endpoint { name mode health { status latencyMs } }
}`;

const fetcher = GraphiQL.createFetcher({ url: (await pageConfig()).graphqlUrl });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: [{ query: CALCULATE }, { query: BATCH, variables: BATCH_VARIABLES }, { query: OPERATIONS }],
    shouldPersistHeaders: false,
  }),
);
