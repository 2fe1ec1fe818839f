import type { ColumnDtype, DatasetColumn } from '../dataset.js';
import { InstructionNotUnderstoodError } from '../instruction-not-understood-error.js';
import type {
  Aggregate,
  ExpressionToken,
  FilterTest,
  Literal,
  PlannedColumn,
  Step,
  TransformPlan,
} from './plan.js';

/**
 * The offline instruction grammar (README: "Offline instruction grammar"). An instruction is a list
 * of clauses — separated by `;`, new lines, `then`, or commas before a clause's first word — each
 * one step. Column names match case-insensitively, spaces and underscores alike, in backticks or
 * quotes or bare. What no rule places is refused, naming the words.
 */
export function parseInstruction(instruction: string, input: readonly DatasetColumn[]): TransformPlan {
  return planSteps(splitClauses(instruction), input);
}

/** The steps of a specification's numbered list, each in the grammar's own phrasing. */
export function planSteps(clauses: readonly string[], input: readonly DatasetColumn[]): TransformPlan {
  let columns: PlannedColumn[] = input.map((column) => ({ ...column }));
  const steps: Step[] = [];
  for (const clause of clauses) {
    const step = parseClause(clause, columns, steps);
    steps.push(step);
    columns = columnsAfter(step, columns);
  }
  if (steps.length === 0)
    throw new InstructionNotUnderstoodError([instructionText(clauses)], 'there is no step in it');
  return { steps, output: columns };
}

const VERBS =
  /^(keep|select|only|drop|remove|delete|exclude|rename|sort|order|group|total|sum|average|mean|count|min|minimum|max|maximum|fill|add|compute|calculate|top|first|where|filter|largest|biggest|highest|smallest|lowest|deduplicate|dedupe)\b/i;

export function splitClauses(instruction: string): string[] {
  const parts = instruction
    .split(/;|\r?\n|\band then\b|\bthen\b/i)
    .flatMap((part) => part.split(','))
    .map((part) => part.trim());
  const clauses: string[] = [];
  for (const part of parts) {
    const bare = part.replace(/^(and|also)\s+/i, '');
    if (bare === '') continue;
    // A comma inside a list (`keep columns a, b`) continues the clause before it.
    if (clauses.length > 0 && !VERBS.test(bare)) clauses[clauses.length - 1] += `, ${part}`;
    else clauses.push(bare.replace(/^\d+[.)]\s*/, ''));
  }
  return clauses.map((clause) => clause.replace(/[.]+$/, '').trim()).filter((clause) => clause !== '');
}

function instructionText(clauses: readonly string[]): string {
  return clauses.join(', ') || '(empty)';
}

// ---------------------------------------------------------------------------------------------
// Clauses

type Rule = (clause: string, columns: PlannedColumn[], earlier: Step[]) => Step | undefined;

const AGGREGATES: Record<string, Aggregate> = {
  sum: 'sum',
  total: 'sum',
  average: 'mean',
  mean: 'mean',
  avg: 'mean',
  count: 'count',
  min: 'min',
  minimum: 'min',
  max: 'max',
  maximum: 'max',
};
const AGGREGATE_WORDS = Object.keys(AGGREGATES).join('|');

const RULES: Rule[] = [
  // Keep columns a, b / select a, b / only keep a and b
  (clause, columns) => {
    const match =
      /^(?:keep|select|only keep|keep only)\s+(?:the\s+)?(?:columns?|fields?)\s+(.+)$/i.exec(clause) ??
      /^select\s+(?!rows\b)(.+)$/i.exec(clause);
    return match ? { kind: 'select', columns: columnList(match[1] ?? '', columns) } : undefined;
  },
  // Drop columns x / remove column x
  (clause, columns) => {
    const match = /^(?:drop|remove|delete|exclude)\s+(?:the\s+)?(?:columns?|fields?)\s+(.+)$/i.exec(clause);
    return match ? { kind: 'drop', columns: columnList(match[1] ?? '', columns) } : undefined;
  },
  // Drop duplicates (by a, b)
  (clause, columns) => {
    const match =
      /^(?:drop|remove|delete)\s+(?:the\s+)?duplicates?(?:\s+rows)?(?:\s+(?:by|on|of)\s+(.+))?$/i.exec(
        clause,
      ) ??
      /^(?:drop|remove|delete)\s+(?:the\s+)?duplicate\s+(?:rows|records|entries)(?:\s+(?:by|on|of)\s+(.+))?$/i.exec(
        clause,
      ) ??
      /^(?:deduplicate|dedupe)(?:\s+(?:rows\s+)?(?:by|on)\s+(.+))?$/i.exec(clause);
    if (!match) return undefined;
    return match[1] ? { kind: 'dedupe', by: columnList(match[1], columns) } : { kind: 'dedupe' };
  },
  // Rename a to b
  (clause, columns) => {
    const match = /^rename\s+(?:(?:the\s+)?column\s+)?(.+?)\s+(?:to|as|into)\s+(.+)$/i.exec(clause);
    if (!match) return undefined;
    const to = newName(match[2] ?? '');
    return { kind: 'rename', from: column(match[1] ?? '', columns), to };
  },
  // Sort by a desc, b
  (clause, columns) => {
    const match = /^(?:sort|order)\s+(?:the\s+)?(?:rows\s+)?by\s+(.+)$/i.exec(clause);
    if (!match) return undefined;
    const keys = splitList(match[1] ?? '').map((part) => {
      const key =
        /^(.+?)(?:\s+(asc|ascending|desc|descending|largest first|smallest first|highest first|lowest first))?$/i.exec(
          part,
        );
      const direction = (key?.[2] ?? 'asc').toLowerCase();
      return {
        column: column(key?.[1] ?? part, columns),
        descending:
          direction.startsWith('desc') || direction.startsWith('largest') || direction.startsWith('highest'),
      };
    });
    return { kind: 'sort', keys };
  },
  // Largest first / smallest first: by the last column a step made
  (clause, _columns, earlier) => {
    const match = /^(largest|biggest|highest|smallest|lowest)\s+(?:first|on top)$/i.exec(clause);
    if (!match) return undefined;
    const made = [...earlier].reverse().find((step) => step.kind === 'group' || step.kind === 'add');
    if (!made)
      throw new InstructionNotUnderstoodError(
        [clause],
        'say which column to sort by ("sort by amount desc")',
      );
    const by = made.kind === 'group' ? made.as : made.kind === 'add' ? made.column : '';
    return {
      kind: 'sort',
      keys: [{ column: by, descending: /^(largest|biggest|highest)/i.test(match[1] ?? '') }],
    };
  },
  // Top 5 by amount / keep the first 10 rows
  (clause, columns) => {
    const match =
      /^(?:keep\s+|take\s+|show\s+)?(?:only\s+)?(?:the\s+)?(?:top|first)\s+(\d+)(?:\s+(?:rows|records|entries))?(?:\s+by\s+(.+))?$/i.exec(
        clause,
      );
    if (!match) return undefined;
    const n = Number(match[1]);
    if (!(n >= 1 && n <= 1_000_000))
      throw new InstructionNotUnderstoodError([match[1] ?? ''], 'N must be 1 or more');
    return match[2] ? { kind: 'top', n, by: column(match[2], columns) } : { kind: 'top', n };
  },
  // Group by region and sum amount (as name) / count rows
  (clause, columns) => {
    const match = new RegExp(
      `^group\\s+(?:the\\s+rows\\s+)?by\\s+(.+?)\\s+and\\s+(${AGGREGATE_WORDS})\\s+(?:of\\s+)?(?:the\\s+)?(.+?)(?:\\s+as\\s+(.+))?$`,
      'i',
    ).exec(clause);
    if (!match) return undefined;
    return groupStep(match[1] ?? '', match[2] ?? '', match[3] ?? '', match[4], columns);
  },
  // Total the amount per region / average price by category / count rows per region
  (clause, columns) => {
    const match = new RegExp(
      `^(${AGGREGATE_WORDS})\\s+(?:up\\s+)?(?:of\\s+)?(?:the\\s+)?(.+?)\\s+(?:per|by|for each|for every|in each)\\s+(.+?)(?:\\s+as\\s+(.+))?$`,
      'i',
    ).exec(clause);
    if (!match) return undefined;
    return groupStep(match[3] ?? '', match[1] ?? '', match[2] ?? '', match[4], columns);
  },
  // Fill missing col with v / fill missing values with 0
  (clause, columns) => {
    const match =
      /^fill\s+(?:in\s+)?(?:the\s+)?(?:missing|empty|blank|null)\s+(?:values\s+)?(?:(?:in|of)\s+)?(.*?)\s*with\s+(.+)$/i.exec(
        clause,
      );
    if (!match) return undefined;
    const named = (match[1] ?? '').replace(/^values\s*/i, '').trim();
    const raw = match[2] ?? '';
    if (named !== '') {
      const targets = columnList(named, columns);
      return { kind: 'fill', columns: targets, value: literal(raw, dtypeOf(targets[0] ?? '', columns)) };
    }
    // No column named: every column the value fits (a number: the numeric ones; text: the text ones).
    const numeric = Number.isFinite(Number(unquote(raw))) && unquote(raw) !== '';
    const targets = columns
      .filter((candidate) =>
        numeric ? candidate.dtype === 'int64' || candidate.dtype === 'float64' : candidate.dtype === 'object',
      )
      .map((candidate) => candidate.name);
    if (targets.length === 0) throw new InstructionNotUnderstoodError([raw], 'no column takes that value');
    return { kind: 'fill', columns: targets, value: literal(raw, numeric ? 'float64' : 'object') };
  },
  // Add column total = price * quantity
  (clause, columns) => {
    const match =
      /^(?:add|create)\s+(?:a\s+)?(?:new\s+)?column\s+(.+?)\s*(?:=|\bas\b|\bequal to\b|\bequals\b)\s*(.+)$/i.exec(
        clause,
      ) ?? /^(?:compute|calculate)\s+(.+?)\s*(?:=|\bas\b)\s*(.+)$/i.exec(clause);
    if (!match) return undefined;
    return { kind: 'add', column: newName(match[1] ?? ''), tokens: expression(match[2] ?? '', columns) };
  },
  // Filters: keep/remove rows where …, where …, keep orders from 2024
  (clause, columns) => {
    const match =
      /^(?:(keep|remove|drop|delete|exclude|filter)\s+)?(?:only\s+)?(?:the\s+)?(?:rows|records|orders|entries|lines|those)?\s*(?:where|with|whose|that have|having|if)\s+(.+)$/i.exec(
        clause,
      );
    if (match) {
      const remove = /^(remove|drop|delete|exclude)$/i.test(match[1] ?? '');
      return { kind: 'filter', remove, ...condition(match[2] ?? '', columns) };
    }
    const period =
      /^(?:(keep|remove|drop|exclude)\s+)?(?:only\s+)?(?:the\s+)?(?:\w+\s+)?(?:from|in|during)\s+(?:(.+?)\s+)?(\d{4}(?:-\d{2}){0,2})$/i.exec(
        clause,
      );
    if (!period) return undefined;
    const dates = columns.filter((candidate) => candidate.dtype === 'datetime64[ns]');
    const named = period[2] ? column(period[2], columns) : undefined;
    if (!named && dates.length !== 1) {
      throw new InstructionNotUnderstoodError(
        [clause],
        dates.length === 0
          ? 'the data has no date column'
          : `name the date column (${dates.map((d) => d.name).join(', ')})`,
      );
    }
    const target = named ?? dates[0]?.name ?? '';
    if (dtypeOf(target, columns) !== 'datetime64[ns]') {
      throw new InstructionNotUnderstoodError(
        [period[2] ?? target],
        'a period applies only to a date column',
      );
    }
    const remove = /^(remove|drop|exclude)$/i.test(period[1] ?? '');
    return { kind: 'filter', remove, column: target, test: periodTest(period[3] ?? '') };
  },
];

function parseClause(clause: string, columns: PlannedColumn[], earlier: Step[]): Step {
  const text = clause.replace(/\s+/g, ' ').trim();
  for (const rule of RULES) {
    const step = rule(text, columns, earlier);
    if (step) return step;
  }
  throw new InstructionNotUnderstoodError(unknownWords(text, columns));
}

/** The words of a clause no rule placed: everything but the column names it mentions. */
function unknownWords(clause: string, columns: readonly PlannedColumn[]): string[] {
  let rest = ` ${clause.toLowerCase()} `;
  for (const candidate of [...columns].sort((a, b) => b.name.length - a.name.length)) {
    rest = rest.split(normalize(candidate.name)).join(' ');
  }
  const words = rest.split(/[^a-z0-9_'-]+/).filter((word) => word !== '' && !FILLER.has(word));
  return words.length > 0 ? [...new Set(words)] : [clause];
}

/** Words that place nothing by themselves, left out when naming what was not understood. */
const FILLER = new Set([
  'the',
  'a',
  'an',
  'of',
  'and',
  'to',
  'all',
  'rows',
  'row',
  'column',
  'columns',
  'with',
  'by',
  'in',
]);

function groupStep(
  byText: string,
  aggregateWord: string,
  target: string,
  asText: string | undefined,
  columns: PlannedColumn[],
): Step {
  const aggregate = AGGREGATES[aggregateWord.toLowerCase()] ?? 'sum';
  const by = columnList(byText, columns);
  if (
    aggregate === 'count' &&
    /^(?:the\s+)?(rows|records|entries|orders|lines|items|\w+s)$/i.test(target.trim()) &&
    !findColumn(target, columns)
  ) {
    return { kind: 'group', by, aggregate, as: asText ? newName(asText) : 'row_count' };
  }
  const of = column(target, columns);
  if (aggregate !== 'count' && aggregate !== 'min' && aggregate !== 'max') {
    const dtype = dtypeOf(of, columns);
    if (dtype !== 'int64' && dtype !== 'float64') {
      throw new InstructionNotUnderstoodError(
        [target],
        `${aggregateWord} needs a numeric column, and ${of} is ${dtype}`,
      );
    }
  }
  return { kind: 'group', by, aggregate, column: of, as: asText ? newName(asText) : `${of}_${aggregate}` };
}

// ---------------------------------------------------------------------------------------------
// Conditions and values

const OPERATORS: ReadonlyArray<[RegExp, string]> = [
  [/^is not missing$|^is not null$|^is not empty$|^is present$|^is known$/i, 'is not missing'],
  [/^is missing$|^is null$|^is empty$|^is blank$|^is unknown$/i, 'is missing'],
  [/^falls in\s+(.+)$/i, 'falls in'],
  [/^(?:is\s+)?between\s+(.+?)\s+and\s+(.+)$/i, 'between'],
  [/^(?:is\s+)?(?:one of|in)\s*\((.+)\)$/i, 'in'],
  [/^(?:is\s+)?(?:one of|in)\s+(.+)$/i, 'in'],
  [/^(?:contains|includes|has)\s+(.+)$/i, 'contains'],
  [/^(?:starts with|begins with)\s+(.+)$/i, 'starts with'],
  [/^ends with\s+(.+)$/i, 'ends with'],
  [
    /^(?:>=|=>|is at least|at least|is greater than or equal to|greater than or equal to|is no less than)\s*(.+)$/i,
    '>=',
  ],
  [
    /^(?:<=|=<|is at most|at most|is less than or equal to|less than or equal to|is no more than)\s*(.+)$/i,
    '<=',
  ],
  [/^(?:!=|<>|is not|isn't|is different from|does not equal|not equal to|is not equal to)\s*(.+)$/i, '!='],
  [
    /^(?:>|is greater than|greater than|is more than|more than|is above|above|is over|over|is after|after)\s*(.+)$/i,
    '>',
  ],
  [
    /^(?:<|is less than|less than|is fewer than|fewer than|is below|below|is under|under|is before|before)\s*(.+)$/i,
    '<',
  ],
  [/^(?:==|=|is equal to|equals|is|equal to)\s*(.+)$/i, '=='],
];

function condition(text: string, columns: PlannedColumn[]): { column: string; test: FilterTest } {
  const found = leadingColumn(text, columns);
  if (!found)
    throw new InstructionNotUnderstoodError(
      unknownWords(text, columns).slice(0, 3),
      'no column of the data starts the condition',
    );
  const rest = found.rest.trim();
  const dtype = dtypeOf(found.column, columns);
  for (const [pattern, op] of OPERATORS) {
    const match = pattern.exec(rest);
    if (!match) continue;
    return { column: found.column, test: filterTest(op, match, dtype, rest) };
  }
  throw new InstructionNotUnderstoodError(
    unknownWords(rest, columns),
    `no comparison there for ${found.column}`,
  );
}

function filterTest(op: string, match: RegExpExecArray, dtype: ColumnDtype, rest: string): FilterTest {
  const value = (match[1] ?? '').trim();
  switch (op) {
    case 'is missing':
    case 'is not missing':
      return { op };
    case 'falls in':
      return periodTest(unquote(value));
    case 'between':
      return { op, low: literal(value, dtype), high: literal(match[2] ?? '', dtype) };
    case 'in':
      return { op, values: splitList(value).map((part) => literal(part, dtype)) };
    case 'contains':
    case 'starts with':
    case 'ends with':
      if (dtype !== 'object') throw new InstructionNotUnderstoodError([rest], `${op} needs a text column`);
      return { op, text: unquote(value) };
    default: {
      // A bare year, month or day against a date column means the whole period.
      if (dtype === 'datetime64[ns]' && op === '==' && /^\d{4}(?:-\d{2})?$/.test(unquote(value)))
        return periodTest(unquote(value));
      return { op: op as '==' | '!=' | '>' | '>=' | '<' | '<=', value: literal(value, dtype) };
    }
  }
}

function periodTest(period: string): FilterTest {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(period);
  if (!match)
    throw new InstructionNotUnderstoodError(
      [period],
      'a period is a year (2024), a month (2024-03) or a day (2024-03-01)',
    );
  const [year, month, day] = [
    Number(match[1]),
    match[2] ? Number(match[2]) : undefined,
    match[3] ? Number(match[3]) : undefined,
  ];
  const start = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
  const end =
    day !== undefined
      ? new Date(Date.UTC(year, (month ?? 1) - 1, day + 1))
      : month !== undefined
        ? new Date(Date.UTC(year, month, 1))
        : new Date(Date.UTC(year + 1, 0, 1));
  if (Number.isNaN(start.getTime()) || start.getUTCMonth() !== (month ?? 1) - 1) {
    throw new InstructionNotUnderstoodError([period], 'no such date');
  }
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  return { op: 'falls in', period, start: iso(start), end: iso(end) };
}

export function literal(raw: string, dtype: ColumnDtype): Literal {
  const text = unquote(raw.trim());
  if (dtype === 'int64' || dtype === 'float64') {
    const number = Number(text.replace(/_/g, ''));
    if (text === '' || !Number.isFinite(number))
      throw new InstructionNotUnderstoodError([raw.trim()], 'a number was expected');
    return number;
  }
  if (dtype === 'bool') {
    if (/^(true|yes)$/i.test(text)) return true;
    if (/^(false|no)$/i.test(text)) return false;
    throw new InstructionNotUnderstoodError([raw.trim()], 'true or false was expected');
  }
  if (dtype === 'datetime64[ns]') {
    const date = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
    if (!date) throw new InstructionNotUnderstoodError([raw.trim()], 'a date (YYYY-MM-DD) was expected');
    return text.replace(' ', 'T');
  }
  return text;
}

function unquote(text: string): string {
  const match = /^(["'`])(.*)\1$/.exec(text.trim());
  return match ? (match[2] ?? '') : text.trim();
}

// ---------------------------------------------------------------------------------------------
// Columns

export function normalize(name: string): string {
  return unquote(name)
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
}

function findColumn(text: string, columns: readonly PlannedColumn[]): string | undefined {
  const wanted = normalize(text).replace(/^the /, '');
  return columns.find((candidate) => normalize(candidate.name) === wanted)?.name;
}

function column(text: string, columns: readonly PlannedColumn[]): string {
  const found = findColumn(text, columns);
  if (found === undefined) {
    throw new InstructionNotUnderstoodError(
      [unquote(text.trim())],
      `no such column (the columns: ${columns.map((c) => c.name).join(', ')})`,
    );
  }
  return found;
}

function splitList(text: string): string[] {
  return text
    .split(/\s*,\s*|\s+and\s+|\s*&\s*/i)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function columnList(text: string, columns: readonly PlannedColumn[]): string[] {
  const names = splitList(text).map((part) => column(part, columns));
  return [...new Set(names)];
}

/** The column a condition starts with (the longest name that fits), and what follows it. */
function leadingColumn(
  text: string,
  columns: readonly PlannedColumn[],
): { column: string; rest: string } | undefined {
  const quoted = /^(["'`])(.+?)\1\s*(.*)$/.exec(text);
  if (quoted) {
    const found = findColumn(quoted[2] ?? '', columns);
    return found === undefined ? undefined : { column: found, rest: quoted[3] ?? '' };
  }
  const lower = text.toLowerCase().replace(/_/g, ' ');
  const byLength = [...columns].sort((a, b) => b.name.length - a.name.length);
  for (const candidate of byLength) {
    const name = normalize(candidate.name);
    if (lower.startsWith(name) && /^(\s|[<>=!]|$)/.test(lower.slice(name.length))) {
      return { column: candidate.name, rest: text.slice(name.length) };
    }
  }
  return undefined;
}

function newName(text: string): string {
  const name = unquote(text.trim());
  if (!/^[A-Za-z_][A-Za-z0-9_ ]{0,99}$/.test(name)) {
    throw new InstructionNotUnderstoodError([name], 'a new column name is letters, digits, spaces and _');
  }
  return name;
}

function dtypeOf(name: string, columns: readonly PlannedColumn[]): ColumnDtype {
  return columns.find((candidate) => candidate.name === name)?.dtype ?? 'object';
}

function expression(text: string, columns: readonly PlannedColumn[]): ExpressionToken[] {
  const tokens: ExpressionToken[] = [];
  let rest = text.trim();
  const byLength = [...columns].sort((a, b) => b.name.length - a.name.length);
  while (rest !== '') {
    const space = /^\s+/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    const op = /^[-+*/()]/.exec(rest);
    if (op) {
      tokens.push({ op: op[0] as '+' });
      rest = rest.slice(1);
      continue;
    }
    const number = /^\d+(?:\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ number: number[0] });
      rest = rest.slice(number[0].length);
      continue;
    }
    const quoted = /^(["'`])(.+?)\1/.exec(rest);
    if (quoted) {
      tokens.push({ column: column(quoted[2] ?? '', columns) });
      rest = rest.slice(quoted[0].length);
      continue;
    }
    const bare = byLength.find((candidate) => {
      const head = rest.slice(0, candidate.name.length);
      return (
        normalize(head) === normalize(candidate.name) &&
        !/^[A-Za-z0-9_]/.test(rest.slice(candidate.name.length))
      );
    });
    if (bare) {
      const dtype = bare.dtype;
      if (dtype !== 'int64' && dtype !== 'float64') {
        throw new InstructionNotUnderstoodError(
          [bare.name],
          `arithmetic needs numeric columns, and ${bare.name} is ${dtype}`,
        );
      }
      tokens.push({ column: bare.name });
      rest = rest.slice(bare.name.length);
      continue;
    }
    const word = /^[^\s\-+*/()]+/.exec(rest)?.[0] ?? rest;
    throw new InstructionNotUnderstoodError(
      [word],
      'an expression is columns, numbers, + - * / and parentheses',
    );
  }
  let depth = 0;
  for (const token of tokens) {
    if ('op' in token && token.op === '(') depth += 1;
    if ('op' in token && token.op === ')') depth -= 1;
    if (depth < 0) break;
  }
  const last = tokens.at(-1);
  if (tokens.length === 0 || depth !== 0 || (last && 'op' in last && last.op !== ')')) {
    throw new InstructionNotUnderstoodError([text.trim()], 'the expression is incomplete');
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Columns through the steps

export function columnsAfter(step: Step, columns: readonly PlannedColumn[]): PlannedColumn[] {
  switch (step.kind) {
    case 'select':
      return step.columns.map((name) => ({ name, dtype: dtypeOf(name, columns) }));
    case 'drop':
      return columns.filter((candidate) => !step.columns.includes(candidate.name));
    case 'rename':
      if (step.from !== step.to && columns.some((candidate) => candidate.name === step.to)) {
        throw new InstructionNotUnderstoodError([step.to], 'a column of that name exists already');
      }
      return columns.map((candidate) =>
        candidate.name === step.from ? { ...candidate, name: step.to } : candidate,
      );
    case 'group': {
      const keys = step.by.map((name) => ({ name, dtype: dtypeOf(name, columns) }));
      if (step.by.includes(step.as))
        throw new InstructionNotUnderstoodError([step.as], 'the result would repeat a group column');
      const dtype: ColumnDtype =
        step.aggregate === 'count'
          ? 'int64'
          : step.aggregate === 'mean'
            ? 'float64'
            : dtypeOf(step.column ?? '', columns);
      return [...keys, { name: step.as, dtype }];
    }
    case 'add': {
      const kept = columns.filter((candidate) => candidate.name !== step.column);
      return [...kept, { name: step.column, dtype: 'float64' as const }].sort((a, b) => {
        // An added column that replaces one keeps its place.
        const at = (name: string) => {
          const index = columns.findIndex((candidate) => candidate.name === name);
          return index < 0 ? columns.length : index;
        };
        return at(a.name) - at(b.name);
      });
    }
    default:
      return [...columns];
  }
}
