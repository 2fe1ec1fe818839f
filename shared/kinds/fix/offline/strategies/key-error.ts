import type { Edit, PySource } from '../python-source.js';
import { matchingBracket, primaryStart, spanText, type Token } from '../python-tokens.js';
import { conditionalValue, ownsItsLines, valueTokens, wrapInBlock } from './expression-edits.js';
import {
  distinct,
  type Fix,
  type FixStrategy,
  isOp,
  isWord,
  markedSpan,
  quote,
  type Statement,
  statementAt,
} from './strategy.js';

const ARITHMETIC = ['+', '-', '*', '/', '//', '%', '**', '<', '>', '<=', '>='];
const STRING_METHODS = [
  'upper',
  'lower',
  'strip',
  'split',
  'title',
  'startswith',
  'endswith',
  'replace',
  'format',
];
const NUMBER_FUNCTIONS = ['int', 'float', 'sum', 'round', 'abs', 'max', 'min'];

/** A `mapping[key]` read on the failing line. */
interface Lookup {
  mapping: string;
  key: string;
  /** Token indexes of the mapping's first token, the opening and the closing bracket. */
  first: number;
  open: number;
  close: number;
  /** Whether the key's text is the key from the message (not just some subscript). */
  exact: boolean;
}

/**
 * KeyError: read the key with `.get` and a default that suits how the value is used, or guard
 * the statement with `if key in mapping`.
 */
export const keyErrorStrategy: FixStrategy = {
  name: 'key-error',
  propose(context) {
    const { source, line, error } = context;
    if (error?.type !== 'KeyError' || line === undefined) return [];
    const logical = source.logicalAt(line);
    if (!logical) return [];
    const tokens = logical.tokens;
    const marked = markedSpan(context);
    // The key printed in the message names the lookup; failing that, the caret's `^` starts at it.
    const lookups = lookupsOf(source, tokens, error.message);
    const exact = lookups.filter((l) => l.exact);
    const focused = lookups.filter(
      (l) => marked !== undefined && tokens[l.open]?.start === marked.focusStart,
    );
    const chosen = exact.length > 0 ? exact : focused.length > 0 ? focused : lookups;
    const fixes: Fix[] = [];
    for (const lookup of chosen.slice(0, 2)) {
      const statement = statementAt(source, line, tokens[lookup.first]?.start);
      if (statement) fixes.push(...fixesFor(source, tokens, lookup, statement));
    }
    return distinct(source.code, fixes);
  },
};

/** The key's value as Python would print it, without quotes, for comparing with the message. */
const unquote = (text: string): string => {
  const match = /^[rRbBuU]?(['"])(.*)\1$/s.exec(text.trim());
  return match ? (match[2] as string) : text.trim();
};

function lookupsOf(source: PySource, tokens: readonly Token[], message: string): Lookup[] {
  const wanted = unquote(message);
  const lookups: Lookup[] = [];
  tokens.forEach((t, i) => {
    const before = tokens[i - 1];
    if (!isOp(t, '[') || !before || !(before.kind === 'name' || isOp(before, ')', ']'))) return;
    if (isWord(before, 'in', 'return', 'and', 'or', 'not', 'if', 'else', 'yield', 'del')) return;
    const close = matchingBracket(tokens, i);
    if (close <= i + 1) return;
    const key = spanText(source.code, tokens, i + 1, close - 1);
    if (tokens.slice(i + 1, close).some((k) => isOp(k, ':') && k.depth === t.depth + 1)) return;
    const first = primaryStart(tokens, i - 1);
    const mapping = spanText(source.code, tokens, first, i - 1);
    lookups.push({ mapping, key, first, open: i, close, exact: unquote(key) === wanted });
  });
  return lookups;
}

function defaultFor(tokens: readonly Token[], lookup: Lookup): string | undefined {
  const after = tokens[lookup.close + 1];
  const before = tokens[lookup.first - 1];
  if (isOp(after, '.') && isWord(tokens[lookup.close + 2], 'append', 'extend')) return '[]';
  if (isOp(after, '.') && isWord(tokens[lookup.close + 2], 'add', 'update')) return 'set()';
  if (isOp(after, '[')) return '{}';
  if (isOp(after, '.') && isWord(tokens[lookup.close + 2], ...STRING_METHODS)) return "''";
  const stringNeighbour =
    (isOp(after, '+') && tokens[lookup.close + 2]?.kind === 'string') ||
    (isOp(before, '+') && tokens[lookup.first - 2]?.kind === 'string');
  if (stringNeighbour) return "''";
  if (ARITHMETIC.some((op) => isOp(after, op) || isOp(before, op))) return '0';
  if (isOp(before, '(') && isWord(tokens[lookup.first - 2], ...NUMBER_FUNCTIONS)) return '0';
  if (isOp(after, '+=', '-=', '*=')) return '0';
  return undefined;
}

function fixesFor(source: PySource, tokens: readonly Token[], lookup: Lookup, statement: Statement): Fix[] {
  const fixes: Fix[] = [];
  const first = tokens[lookup.first] as Token;
  const close = tokens[lookup.close] as Token;
  const { mapping, key } = lookup;
  const span = { start: first.start, end: close.end };
  const add = (edits: Edit[], title: string, rationale: string) =>
    fixes.push({ code: source.apply(edits), title, rationale });
  const why = `The key ${quote(key)} can be missing from ${quote(mapping)}`;
  const after = tokens[lookup.close + 1];
  const isTarget = after && after.depth === first.depth && after.kind === 'op';

  if (isWord(statement.tokens[0], 'del')) {
    add(
      [
        {
          start: statement.tokens[0]?.start ?? span.start,
          end: span.end,
          text: `${mapping}.pop(${key}, None)`,
        },
      ],
      `Remove ${quote(key)} only if present`,
      `${why}; ${quote('pop(key, None)')} removes it when it is there.`,
    );
    return fixes;
  }
  if (isTarget && after.text === '=') return fixes;
  if (
    isTarget &&
    after.text.length >= 2 &&
    after.text.endsWith('=') &&
    !['==', '<=', '>=', '!='].includes(after.text)
  ) {
    // `counts[k] += 1`: start from a default instead of failing on the first occurrence.
    const value = valueTokens(statement);
    const valueText = value.length ? spanText(source.code, value, 0, value.length - 1) : '';
    const fallback = value[0]?.kind === 'string' ? "''" : isOp(value[0], '[') ? '[]' : '0';
    const op = after.text.slice(0, -1);
    add(
      [
        {
          start: span.start,
          end: value[value.length - 1]?.end ?? after.end,
          text: `${mapping}[${key}] = ${mapping}.get(${key}, ${fallback}) ${op} ${needsGroup(valueText) ? `(${valueText})` : valueText}`,
        },
      ],
      `Start ${quote(`${mapping}[${key}]`)} from ${fallback}`,
      `${why}; ${quote('.get')} supplies ${fallback} for a key seen for the first time.`,
    );
    if (ownsItsLines(statement)) {
      const indent = source.indentOf(statement.logical.firstLine);
      add(
        [
          source.insertLinesBefore(statement.logical.firstLine, [
            `${indent}${mapping}.setdefault(${key}, ${fallback})`,
          ]),
        ],
        `Give ${quote(key)} a starting value first`,
        `${why}; ${quote('setdefault')} stores ${fallback} before the update.`,
      );
    }
    return fixes;
  }

  const fallback = defaultFor(tokens, lookup);
  if (fallback === '[]' || fallback === 'set()' || fallback === '{}') {
    add(
      [{ start: span.start, end: span.end, text: `${mapping}.setdefault(${key}, ${fallback})` }],
      `Create ${quote(`${mapping}[${key}]`)} when missing`,
      `${why}; ${quote('setdefault')} stores an empty ${fallback} for it first.`,
    );
  }
  // A default handed to `.append` would be thrown away; only `setdefault` keeps it.
  if (fallback !== undefined && fallback !== '[]' && fallback !== 'set()') {
    add(
      [{ start: span.start, end: span.end, text: `${mapping}.get(${key}, ${fallback})` }],
      `Read ${quote(key)} with a default of ${fallback}`,
      `${why}; ${quote('.get')} returns ${fallback}, which suits how the value is used here.`,
    );
  }
  const condition = `${key} in ${mapping}`;
  if (statement.kind === 'return') {
    add(
      conditionalValue(valueTokens(statement), condition, fallback ?? 'None'),
      `Return ${fallback ?? 'None'} when ${quote(key)} is missing`,
      `${why}; the function checks for it first.`,
    );
  } else if (ownsItsLines(statement) && statement.kind !== 'header') {
    add(
      wrapInBlock(source, statement, `if ${condition}:`),
      `Only use ${quote(key)} when it is present`,
      `${why}; line ${statement.logical.firstLine} now runs only when it is there.`,
    );
  }
  // Where the value is used at once (a method, arithmetic, text), None would only fail later.
  if (fallback === undefined) {
    add(
      [{ start: span.start, end: span.end, text: `${mapping}.get(${key})` }],
      `Read ${quote(key)} with ${quote('.get')}`,
      `${why}; ${quote('.get')} returns None instead of raising KeyError.`,
    );
  }
  return fixes;
}

const needsGroup = (text: string): boolean => /[\s]/.test(text.trim()) && !/^\(.*\)$/s.test(text.trim());
