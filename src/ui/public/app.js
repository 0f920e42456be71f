import {
  ApiUnreachableError,
  describeErrors,
  graphql,
  onApiKeyNeeded,
  pageConfig,
} from './graphql-client.js';

const CATALOG = `{ operations { name description usesAngleUnit operands { name required } } endpoint { name mode } }`;
const CALCULATE = `mutation Calculate($input: CalculationInput!) {
  calculate(input: $input) { operation a b expression result status error { code message } }
}`;
const BATCH = `mutation Batch($inputs: [CalculationInput!]!) {
  batchCalculate(inputs: $inputs) { total succeeded failed results { result status error { code message } } }
}`;
const HISTORY_KEY = 'calculator.history';
const HISTORY_LENGTH = 20;

const $ = (id) => document.getElementById(id);
const form = $('calculate-form');
const operationSelect = $('operation');
const resultOutput = $('result');
const endpointStatus = $('endpoint-status');
let operations = new Map();

/** Shows a text in an inner span, which the style sheet clamps when it is long; the whole text is its tooltip. */
function setStatus(element, text, kind) {
  const inner = document.createElement('span');
  inner.className = 'text';
  inner.textContent = text;
  element.replaceChildren(inner);
  element.title = text;
  element.dataset.kind = kind;
}

let catalogRetry;
let catalogLoads = 0;
let unreachable = false;

/** Loads the catalog again in 5 s (once, however many requests failed), which puts the header right. */
function retryCatalogSoon() {
  catalogRetry ??= setTimeout(() => {
    catalogRetry = undefined;
    loadCatalog();
  }, 5000);
}

/** A request got no answer: the header says so until the API answers again. */
function showUnreachable(error) {
  unreachable = true;
  setStatus(endpointStatus, error.message, 'error');
  retryCatalogSoon();
}

/** A request was answered: if the header still says the API is not reachable, put it right now. */
function showAnswered() {
  if (!unreachable) return;
  unreachable = false;
  loadCatalog();
}

/** Reads a numeric field: null when empty, a number, or an error message. */
function readNumber(input, name) {
  const text = input.value.trim();
  if (text === '') return { value: null };
  const value = Number(text);
  return Number.isFinite(value) ? { value } : { error: `${name} must be a number, got "${text}"` };
}

function showOperation() {
  const operation = operations.get(operationSelect.value);
  if (!operation) return;
  const takes = new Map(operation.operands.map((operand) => [operand.name, operand]));
  for (const name of ['a', 'b']) {
    const field = $(`field-${name}`);
    field.hidden = !takes.has(name);
    field.querySelector('label').textContent =
      takes.get(name)?.required === false ? `${name} (optional)` : name;
  }
  $('field-expression').hidden = !takes.has('expression');
  $('field-angle-unit').hidden = !operation.usesAngleUnit;
  $('operation-description').textContent = operation.description;
}

async function loadCatalog() {
  // Only the latest load may change the header: an earlier one that ends later says nothing.
  const load = ++catalogLoads;
  try {
    const answer = await graphql(CATALOG);
    if (load !== catalogLoads) return;
    if (answer.errors) throw new Error(describeErrors(answer.errors));
    operations = new Map(answer.data.operations.map((operation) => [operation.name, operation]));
    const selected = operationSelect.value || 'add';
    operationSelect.replaceChildren(
      ...answer.data.operations.map(
        (operation) => new Option(operation.name, operation.name, false, operation.name === selected),
      ),
    );
    showOperation();
    const { name, mode } = answer.data.endpoint;
    setStatus(endpointStatus, `Endpoint: ${name} (${mode === 'EMBEDDED' ? 'embedded' : 'SageMaker'})`, 'ok');
  } catch (error) {
    if (load !== catalogLoads) return;
    setStatus(endpointStatus, error.message, 'error');
    retryCatalogSoon();
  }
}

function describeInput(input) {
  if (input.expression != null) return input.expression;
  const operands = [input.a, input.b].filter((value) => value != null).join(', ');
  return `${input.operation}(${operands})`;
}

function addHistory(entry) {
  const history = [entry, ...readHistory()].slice(0, HISTORY_LENGTH);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  renderHistory();
}

function readHistory() {
  try {
    const stored = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(stored) ? stored : [];
  } catch {
    return [];
  }
}

function renderHistory() {
  $('history').replaceChildren(
    ...readHistory().map((entry) => {
      const item = document.createElement('li');
      item.textContent = `${entry.input} = ${entry.outcome}`;
      item.dataset.kind = entry.ok ? 'ok' : 'error';
      return item;
    }),
  );
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const operation = operations.get(operationSelect.value);
  if (!operation) return setStatus(resultOutput, 'Pick an operation first.', 'error');
  const input = { operation: operation.name };
  const takes = new Set(operation.operands.map((operand) => operand.name));
  for (const [name, element] of [
    ['a', $('operand-a')],
    ['b', $('operand-b')],
  ]) {
    if (!takes.has(name)) continue;
    const read = readNumber(element, name);
    if (read.error) return setStatus(resultOutput, `INVALID_INPUT: ${read.error}`, 'error');
    input[name] = read.value;
  }
  if (takes.has('expression')) input.expression = $('expression').value;
  if (operation.usesAngleUnit) input.angleUnit = $('angle-unit').value;

  setStatus(resultOutput, 'Calculating…', 'pending');
  try {
    const answer = await graphql(CALCULATE, { input });
    showAnswered();
    if (answer.errors) return setStatus(resultOutput, describeErrors(answer.errors), 'error');
    const calculation = answer.data.calculate;
    const text =
      calculation.status === 'SUCCESS'
        ? String(calculation.result)
        : `${calculation.error.code}: ${calculation.error.message}`;
    setStatus(resultOutput, text, calculation.status === 'SUCCESS' ? 'ok' : 'error');
    addHistory({ input: describeInput(input), outcome: text, ok: calculation.status === 'SUCCESS' });
  } catch (error) {
    if (error instanceof ApiUnreachableError) showUnreachable(error);
    setStatus(resultOutput, error instanceof ApiUnreachableError ? error.message : String(error), 'error');
  }
});

operationSelect.addEventListener('change', showOperation);

/** Parses one pasted line: "operation,a,b" or an expression; a blank line is its own INVALID_INPUT. */
function parseLine(line, number) {
  if (line.trim() === '') {
    return { localError: `INVALID_INPUT: Line ${number} is empty; expected operation,a,b or an expression` };
  }
  const csv = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*,(.*)$/.exec(line);
  if (!csv) return { input: { operation: 'evaluate', expression: line.trim() } };
  const [aText = '', bText = ''] = csv[2].split(',');
  const input = { operation: csv[1] };
  for (const [name, text] of [
    ['a', aText],
    ['b', bText],
  ]) {
    if (text.trim() === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value))
      return { input, localError: `INVALID_INPUT: ${name} must be a number, got "${text.trim()}"` };
    input[name] = value;
  }
  return { input };
}

function cell(text, kind) {
  const element = document.createElement('td');
  element.textContent = text;
  element.title = text;
  if (kind) element.dataset.kind = kind;
  return element;
}

/** A cell whose long text is clamped to a few lines, the whole of it on hover. */
function clampedCell(text) {
  const element = document.createElement('td');
  const inner = document.createElement('div');
  inner.className = 'clamp';
  inner.textContent = text;
  element.title = text;
  element.append(inner);
  return element;
}

$('batch-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  // Every line is a row, numbered as in the box; the empty line a final newline leaves is not a line.
  const lines = $('batch-input').value.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const summary = $('batch-summary');
  if (lines.every((line) => line.trim() === '')) {
    return setStatus(summary, 'Paste one calculation per line first.', 'error');
  }
  const parsed = lines.map((line, index) => parseLine(line, index + 1));
  const sendable = parsed.filter((row) => !row.localError);
  setStatus(summary, `Running ${lines.length} calculations…`, 'pending');
  let results = [];
  try {
    if (sendable.length > 0) {
      const answer = await graphql(BATCH, { inputs: sendable.map((row) => row.input) });
      showAnswered();
      if (!answer.data?.batchCalculate)
        return setStatus(summary, describeErrors(answer.errors ?? []), 'error');
      results = answer.data.batchCalculate.results;
    }
  } catch (error) {
    if (error instanceof ApiUnreachableError) showUnreachable(error);
    return setStatus(summary, error.message, 'error');
  }
  let next = 0;
  let succeeded = 0;
  const rows = parsed.map((row, index) => {
    const tr = document.createElement('tr');
    let status;
    let text;
    if (row.localError) {
      status = 'ERROR';
      text = row.localError;
    } else {
      const result = results[next];
      next += 1;
      if (result === null)
        [status, text] = ['ERROR', 'ENDPOINT_ERROR: the endpoint did not answer this item'];
      else if (result.status === 'SUCCESS') [status, text] = ['SUCCESS', String(result.result)];
      else [status, text] = ['ERROR', `${result.error.code}: ${result.error.message}`];
    }
    if (status === 'SUCCESS') succeeded += 1;
    tr.append(
      cell(String(index + 1)),
      cell(lines[index].trim()),
      cell(status, status === 'SUCCESS' ? 'ok' : 'error'),
      clampedCell(text),
    );
    return tr;
  });
  $('batch-table')
    .querySelector('tbody')
    .replaceChildren(...rows);
  $('batch-table').hidden = false;
  const failed = lines.length - succeeded;
  setStatus(
    summary,
    `${lines.length} calculations: ${succeeded} succeeded, ${failed} failed.`,
    failed ? 'error' : 'ok',
  );
});

$('clear-history').addEventListener('click', () => {
  localStorage.removeItem(HISTORY_KEY);
  renderHistory();
});

// The API answered 401: ask for a key once, however many operations are waiting for it.
let keyPrompt;
onApiKeyNeeded((message) => {
  keyPrompt ??= new Promise((resolve) => {
    const dialog = $('key-dialog');
    const input = $('api-key');
    $('key-message').textContent = message;
    input.value = '';
    dialog.returnValue = '';
    dialog.addEventListener(
      'close',
      () => {
        keyPrompt = undefined;
        resolve(dialog.returnValue === 'use' && input.value.trim() ? input.value.trim() : undefined);
      },
      { once: true },
    );
    dialog.showModal();
  });
  return keyPrompt;
});

/** The footer names the API the page calls, and links the IDE where there is one. */
async function showWhereTheApiIs() {
  let where;
  try {
    where = await pageConfig();
  } catch {
    return setTimeout(showWhereTheApiIs, 5000);
  }
  const { graphqlUrl, ideUrl } = where;
  $('api-url').textContent = graphqlUrl;
  if (ideUrl) $('ide-link').href = ideUrl;
  $('ide-link').hidden = !ideUrl;
  $('ide-separator').hidden = !ideUrl;
}

renderHistory();
showWhereTheApiIs();
loadCatalog();
