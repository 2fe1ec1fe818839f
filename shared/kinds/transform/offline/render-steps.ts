import type { FilterTest, Literal, Step } from './plan.js';

const name = (column: string) => `\`${column}\``;
const names = (columns: readonly string[]) => columns.map(name).join(', ');

function literalText(value: Literal): string {
  if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value)) return JSON.stringify(value);
  return String(value);
}

function testText(test: FilterTest): string {
  switch (test.op) {
    case '==':
      return `= ${literalText(test.value)}`;
    case '!=':
    case '>':
    case '>=':
    case '<':
    case '<=':
      return `${test.op} ${literalText(test.value)}`;
    case 'between':
      return `between ${literalText(test.low)} and ${literalText(test.high)}`;
    case 'in':
      return `in (${test.values.map(literalText).join(', ')})`;
    case 'contains':
    case 'starts with':
    case 'ends with':
      return `${test.op} ${JSON.stringify(test.text)}`;
    case 'falls in':
      return `falls in ${test.period}`;
    default:
      return test.op;
  }
}

/** A step in the grammar's own words, so a specification's steps parse back to the same plan. */
export function renderStep(step: Step): string {
  switch (step.kind) {
    case 'filter':
      return `${step.remove ? 'Remove' : 'Keep'} rows where ${name(step.column)} ${testText(step.test)}`;
    case 'select':
      return `Keep columns ${names(step.columns)}`;
    case 'drop':
      return `Drop columns ${names(step.columns)}`;
    case 'rename':
      return `Rename ${name(step.from)} to ${name(step.to)}`;
    case 'sort':
      return `Sort by ${step.keys.map((key) => `${name(key.column)} ${key.descending ? 'descending' : 'ascending'}`).join(', ')}`;
    case 'group':
      return step.aggregate === 'count'
        ? `Group by ${names(step.by)} and count rows as ${name(step.as)}`
        : `Group by ${names(step.by)} and ${step.aggregate} ${name(step.column ?? '')} as ${name(step.as)}`;
    case 'dedupe':
      return step.by ? `Drop duplicate rows by ${names(step.by)}` : 'Drop duplicate rows';
    case 'fill':
      return `Fill missing ${names(step.columns)} with ${literalText(step.value)}`;
    case 'add':
      return `Add column ${name(step.column)} = ${step.tokens
        .map((token) =>
          'column' in token ? name(token.column) : 'number' in token ? token.number : token.op,
        )
        .join(' ')}`;
    case 'top':
      return step.by ? `Keep the top ${step.n} rows by ${name(step.by)}` : `Keep the first ${step.n} rows`;
  }
}

/** What a person should know of a step's treatment of the awkward rows. */
export function edgeCaseOf(step: Step): string | undefined {
  switch (step.kind) {
    case 'filter':
      return step.test.op === 'is missing' || step.test.op === 'is not missing'
        ? undefined
        : step.remove
          ? `A row whose ${name(step.column)} is missing is kept by "${renderStep(step)}": the condition is not true of it.`
          : `A row whose ${name(step.column)} is missing never matches "${renderStep(step)}".`;
    case 'sort':
      return 'Sorting is stable (ties keep their order) and puts missing values last.';
    case 'group':
      return `Rows whose ${names(step.by)} is missing belong to no group; groups come out sorted by ${names(step.by)}${
        step.aggregate === 'sum'
          ? '; a missing value adds nothing to a sum (a group of only missing values sums to 0)'
          : ''
      }${step.aggregate === 'mean' || step.aggregate === 'min' || step.aggregate === 'max' ? '; missing values are skipped' : ''}.`;
    case 'dedupe':
      return 'The first of each set of duplicates is kept.';
    case 'add':
      return `${name(step.column)} is missing where an operand is missing; a division by zero gives inf.`;
    case 'top':
      return step.by
        ? `Ties for the last place are broken by the rows' order; rows whose ${name(step.by)} is missing come last.`
        : undefined;
    default:
      return undefined;
  }
}
