import type { Edit, PySource } from '../python-source.js';
import { operandEnd, spanText, type Token } from '../python-tokens.js';
import {
  bindsLocally,
  conditionalValue,
  linesBefore,
  ownsItsLines,
  termStart,
  valueTokens,
  wrapInBlock,
} from './expression-edits.js';
import {
  distinct,
  enclosingFunction,
  enclosingLoops,
  type Fix,
  type FixStrategy,
  isOp,
  markedSpan,
  quote,
  statementAt,
} from './strategy.js';

const DIVISIONS = ['/', '//', '%'];
const AUGMENTED = ['/=', '//=', '%='];

/**
 * ZeroDivisionError: guard the division on the failing line — a conditional value, an early
 * return, skipping the loop iteration, or skipping the statement.
 */
export const zeroDivisionStrategy: FixStrategy = {
  name: 'zero-division',
  propose(context) {
    const { source, line } = context;
    if (context.error?.type !== 'ZeroDivisionError' || line === undefined) return [];
    const logical = source.logicalAt(line);
    if (!logical) return [];
    const tokens = logical.tokens;
    const marked = markedSpan(context);
    const candidates = tokens
      .map((t, i) => ({ t, i }))
      .filter(({ t, i }) => {
        if (t.kind !== 'op') return false;
        if (AUGMENTED.includes(t.text)) return true;
        // `'%d' % n` formats a string; it never divides.
        return DIVISIONS.includes(t.text) && !(t.text === '%' && tokens[i - 1]?.kind === 'string');
      })
      .sort((a, b) => rank(a.t, marked) - rank(b.t, marked));
    const fixes: Fix[] = [];
    for (const { t, i } of candidates.slice(0, 2))
      fixes.push(...guardsFor(context.source, line, tokens, i, t));
    return distinct(source.code, fixes);
  },
};

function rank(token: Token, marked: { focusStart: number; focusEnd: number } | undefined): number {
  if (!marked) return 0;
  return token.start >= marked.focusStart && token.end <= marked.focusEnd ? -1 : 0;
}

function guardsFor(
  source: PySource,
  line: number,
  tokens: readonly Token[],
  opIndex: number,
  op: Token,
): Fix[] {
  const statement = statementAt(source, line, op.start);
  if (!statement) return [];
  const augmented = AUGMENTED.includes(op.text);
  const denominatorEnd = augmented ? statement.tokens.length - 1 : operandEnd(tokens, opIndex + 1);
  if (denominatorEnd < 0) return [];
  const denominator = augmented
    ? spanText(source.code, statement.tokens, statement.tokens.indexOf(op) + 1, denominatorEnd)
    : spanText(source.code, tokens, opIndex + 1, denominatorEnd);
  if (!denominator || (/^[\d_.]+$/.test(denominator.trim()) && Number(denominator) !== 0)) return [];
  const condition = /^[\w.]+$|^\(.*\)$|^[\w.]+\(.*\)$|^[\w.]+\[.*\]$/s.test(denominator)
    ? denominator
    : `(${denominator})`;
  const zero = op.text.startsWith('/') && !op.text.startsWith('//') ? ['0', '0.0'] : ['0'];
  const names = [...denominator.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]);
  // Code outside the comprehension or lambda that binds the denominator's names cannot see them.
  const local = bindsLocally(statement, names);
  const canAddLines = ownsItsLines(statement) && !local;
  const loop = enclosingLoops(source, line)[0];
  const inFunction = enclosingFunction(source, line) !== undefined;

  const fixes: Fix[] = [];
  const make = (edits: Edit[], title: string, rationale: string) =>
    fixes.push({ code: source.apply(edits), title, rationale });
  const because = `${quote(denominator)} can be zero on line ${line}`;

  const tail = (fallback: string) => {
    if (augmented || local || (statement.kind !== 'return' && statement.kind !== 'assign')) return;
    const value = valueTokens(statement);
    make(
      conditionalValue(value, condition, fallback),
      `Use ${fallback} when ${quote(denominator)} is zero`,
      `${because}; the value becomes ${fallback} instead of raising ZeroDivisionError.`,
    );
  };
  const inline = (fallback: string) => {
    if (augmented) return;
    const start = termStart(tokens, opIndex);
    const first = tokens[start];
    const last = tokens[denominatorEnd];
    if (!first || !last) return;
    // A lone argument or item needs no parentheses of its own.
    const alone = isOp(tokens[start - 1], '(', ',', '[') && isOp(tokens[denominatorEnd + 1], ')', ',', ']');
    make(
      [
        { start: first.start, end: first.start, text: alone ? '' : '(' },
        { start: last.end, end: last.end, text: ` if ${condition} else ${fallback}${alone ? '' : ')'}` },
      ],
      `Divide only when ${quote(denominator)} is non-zero`,
      `${because}; that division now yields ${fallback} instead of raising.`,
    );
  };
  const earlyReturn = () => {
    if (!canAddLines || !inFunction || statement.kind !== 'return') return;
    make(
      linesBefore(source, statement, [`if not ${condition}:`, `\treturn ${zero[0]}`]),
      `Return ${zero[0]} early when ${quote(denominator)} is zero`,
      `${because}; the function now returns ${zero[0]} before dividing.`,
    );
  };
  const skipIteration = () => {
    if (!canAddLines || !loop) return;
    make(
      linesBefore(source, statement, [`if not ${condition}:`, '\tcontinue']),
      `Skip the iteration when ${quote(denominator)} is zero`,
      `${because}; the loop moves on instead of dividing by zero.`,
    );
  };
  const skipStatement = () => {
    if (!canAddLines || statement.kind === 'return' || statement.kind === 'assign') return;
    make(
      wrapInBlock(source, statement, `if ${condition}:`),
      `Run line ${line} only when ${quote(denominator)} is non-zero`,
      `${because}; the statement is skipped in that case.`,
    );
  };

  // When the division is the whole value, guarding it inline repeats the tail variant.
  const coversValue = () => {
    const value = valueTokens(statement);
    return (
      !local &&
      value[0] === tokens[termStart(tokens, opIndex)] &&
      value[value.length - 1] === tokens[denominatorEnd]
    );
  };
  if (statement.kind === 'return') {
    tail('0');
    earlyReturn();
    if (zero[1]) tail(zero[1]);
    if (!coversValue()) inline('0');
  } else if (statement.kind === 'assign') {
    tail('0');
    skipIteration();
    if (zero[1]) tail(zero[1]);
    if (!coversValue()) inline('0');
  } else {
    inline('0');
    skipStatement();
    skipIteration();
    if (zero[1]) inline(zero[1]);
  }
  return fixes;
}
