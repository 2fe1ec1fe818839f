import type { Edit, PySource } from '../python-source.js';
import { type LogicalLine, matchingBracket, spanText, type Token } from '../python-tokens.js';
import { distinct, enclosingLoops, type Fix, type FixStrategy, isOp, isWord, quote } from './strategy.js';

/** A subscript `x[…]` on the failing line. */
interface Subscript {
  open: number;
  close: number;
  text: string;
}

/** A `for v in range(…)` clause. */
interface RangeLoop {
  variable: string;
  args: { start: number; end: number; text: string }[];
  tokens: Token[];
}

/**
 * IndexError "index out of range": the classic off-by-one shapes — a range one too long, a
 * 1-based loop indexing a 0-based list, `<=` against a length, `x[i + 1]` on the last item,
 * `x[len(x)]`.
 */
export const indexErrorStrategy: FixStrategy = {
  name: 'index-error',
  propose(context) {
    const { source, line, error } = context;
    if (error?.type !== 'IndexError' || !/index out of range/.test(error.message) || line === undefined)
      return [];
    const failing = source.logicalAt(line);
    if (!failing) return [];
    const subscripts = subscriptsOf(source, failing.tokens);
    const fixes: Fix[] = [];
    const headers = [failing, ...enclosingLoops(source, line).slice(0, 2)];
    for (const header of headers) fixes.push(...rangeFixes(source, header, failing, subscripts));
    for (const header of headers) fixes.push(...comparisonFixes(source, header, subscripts));
    fixes.push(...lengthIndexFixes(source, subscripts, failing.tokens));
    return distinct(source.code, fixes);
  },
};

function subscriptsOf(source: PySource, tokens: readonly Token[]): Subscript[] {
  const result: Subscript[] = [];
  tokens.forEach((t, i) => {
    const before = tokens[i - 1];
    const isTrailer =
      before && (before.kind === 'name' || before.kind === 'string' || isOp(before, ')', ']'));
    if (
      !isOp(t, '[') ||
      !isTrailer ||
      isWord(before, 'in', 'return', 'and', 'or', 'not', 'if', 'else', 'yield')
    )
      return;
    const close = matchingBracket(tokens, i);
    if (close > i + 1) result.push({ open: i, close, text: spanText(source.code, tokens, i + 1, close - 1) });
  });
  return result;
}

function rangeLoops(source: PySource, tokens: Token[]): RangeLoop[] {
  const loops: RangeLoop[] = [];
  tokens.forEach((t, i) => {
    if (!isWord(t, 'range') || !isOp(tokens[i + 1], '(') || !isWord(tokens[i - 1], 'in')) return;
    const variable = tokens[i - 2];
    if (!isWord(tokens[i - 3], 'for') || variable?.kind !== 'name') return;
    const close = matchingBracket(tokens, i + 1);
    if (close < 0) return;
    const args: RangeLoop['args'] = [];
    let from = i + 2;
    for (let j = i + 2; j <= close; j += 1) {
      const token = tokens[j];
      if (j === close || (isOp(token, ',') && token?.depth === (tokens[i + 1]?.depth ?? 0) + 1)) {
        if (j > from) {
          const first = tokens[from] as Token;
          const last = tokens[j - 1] as Token;
          args.push({ start: first.start, end: last.end, text: source.code.slice(first.start, last.end) });
        }
        from = j + 1;
      }
    }
    loops.push({ variable: variable.text, args, tokens });
  });
  return loops;
}

const PLUS = /^(.*?)\s*\+\s*(\d+)$/s;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function rangeFixes(
  source: PySource,
  header: LogicalLine,
  failing: LogicalLine,
  subscripts: Subscript[],
): Fix[] {
  const fixes: Fix[] = [];
  for (const loop of rangeLoops(source, header.tokens)) {
    const v = escapeRegExp(loop.variable);
    const indexes = subscripts.filter((s) => new RegExp(`(^|\\W)${v}(\\W|$)`).test(s.text));
    if (indexes.length === 0) continue;
    const stop = loop.args[loop.args.length - 1];
    if (!stop || loop.args.length > 2) continue;
    const start = loop.args.length === 2 ? loop.args[0] : undefined;
    const plus = PLUS.exec(stop.text);
    const edit = (edits: Edit[], title: string, rationale: string) =>
      fixes.push({ code: source.apply(edits), title, rationale });

    if (plus) {
      const trimmed = Number(plus[2]) === 1 ? (plus[1] as string) : `${plus[1]} + ${Number(plus[2]) - 1}`;
      const exact = indexes.filter((s) => s.text.trim() === loop.variable);
      if (start && start.text.trim() === '1' && exact.length > 0) {
        // A 1-based count: keep the loop, shift the index.
        edit(
          exact.map((s) => ({
            start: tokenStart(failing, s.open + 1),
            end: tokenEnd(failing, s.close - 1),
            text: `${loop.variable} - 1`,
          })),
          `Index with ${quote(`${loop.variable} - 1`)}`,
          `${quote(loop.variable)} runs from 1 to the length inclusive, one past the last index; shifting the index keeps the loop's count.`,
        );
        edit(
          [{ start: start.start, end: stop.end, text: trimmed }],
          `Loop over ${quote(`range(${trimmed})`)}`,
          `The range ended one past the last valid index; it now covers exactly the indexes of the sequence.`,
        );
      }
      edit(
        [{ start: stop.start, end: stop.end, text: trimmed }],
        `Stop the range at ${quote(trimmed)}`,
        `${quote(`range(…${stop.text})`)} produces an index one past the end; the last valid index is one less.`,
      );
      continue;
    }
    for (const s of indexes) {
      const ahead = new RegExp(`^${v}\\s*\\+\\s*(\\d+)$`).exec(s.text.trim());
      if (!ahead) continue;
      edit(
        [{ start: stop.start, end: stop.end, text: `${stop.text} - ${ahead[1]}` }],
        `Stop the loop ${ahead[1]} early`,
        `The loop reads ${quote(`[${s.text}]`)}, which runs past the end on the last iteration.`,
      );
    }
  }
  return fixes;
}

function comparisonFixes(source: PySource, header: LogicalLine, subscripts: Subscript[]): Fix[] {
  const fixes: Fix[] = [];
  const tokens = header.tokens;
  tokens.forEach((t, i) => {
    if (isOp(t, '<=') && isWord(tokens[i + 1], 'len') && isOp(tokens[i + 2], '(')) {
      fixes.push({
        code: source.apply([{ start: t.start, end: t.end, text: '<' }]),
        title: `Compare with ${quote('<')} instead of ${quote('<=')}`,
        rationale: `An index equal to the length is one past the end; the condition on line ${t.line} must exclude it.`,
      });
    }
    if (
      isOp(t, '<') &&
      isWord(tokens[i + 1], 'len') &&
      isOp(tokens[i + 2], '(') &&
      isWord(tokens[0], 'while')
    ) {
      const close = matchingBracket(tokens, i + 2);
      const variable = tokens[i - 1]?.text ?? '';
      const ahead = subscripts
        .map((s) => new RegExp(`^${escapeRegExp(variable)}\\s*\\+\\s*(\\d+)$`).exec(s.text.trim()))
        .find((m) => m);
      const last = tokens[close];
      if (ahead && last && close > 0 && !isOp(tokens[close + 1], '-', '+')) {
        fixes.push({
          code: source.apply([{ start: last.end, end: last.end, text: ` - ${ahead[1]}` }]),
          title: `Stop the loop ${ahead[1]} early`,
          rationale: `The body reads ${quote(`[${variable} + ${ahead[1]}]`)}, past the end on the last pass.`,
        });
      }
    }
  });
  return fixes;
}

function lengthIndexFixes(source: PySource, subscripts: Subscript[], tokens: readonly Token[]): Fix[] {
  const fixes: Fix[] = [];
  for (const s of subscripts) {
    if (!/^len\(.*\)$/s.test(s.text.trim())) continue;
    const first = tokens[s.open + 1];
    const last = tokens[s.close - 1];
    if (!first || !last) continue;
    fixes.push(
      {
        code: source.apply([{ start: last.end, end: last.end, text: ' - 1' }]),
        title: `Index the last item with ${quote(`${s.text} - 1`)}`,
        rationale: 'Indexes stop at the length minus one.',
      },
      {
        code: source.apply([{ start: first.start, end: last.end, text: '-1' }]),
        title: `Index the last item with ${quote('-1')}`,
        rationale: 'The length is one past the last index; -1 names the last item.',
      },
    );
  }
  return fixes;
}

const tokenStart = (logical: LogicalLine, index: number) => logical.tokens[index]?.start ?? 0;
const tokenEnd = (logical: LogicalLine, index: number) => logical.tokens[index]?.end ?? 0;
