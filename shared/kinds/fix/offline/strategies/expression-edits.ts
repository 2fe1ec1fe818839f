import type { Edit, PySource } from '../python-source.js';
import { endsOperand, primaryStart, type Token } from '../python-tokens.js';
import { isOp, isWord, type Statement } from './strategy.js';

const TERM_OPERATORS = ['*', '/', '//', '%', '@', '**'];

/** First index of the multiplicative term whose operator sits at `opIndex` (`a * b / c` → `a`). */
export function termStart(tokens: readonly Token[], opIndex: number): number {
  let j = opIndex - 1;
  for (;;) {
    let start = primaryStart(tokens, j);
    while (isOp(tokens[start - 1], '-', '+', '~') && !endsOperand(tokens[start - 2])) start -= 1;
    if (isOp(tokens[start - 1], ...TERM_OPERATORS) && start - 2 >= 0) {
      j = start - 2;
      continue;
    }
    return start;
  }
}

/** True when the tokens hold a top-level piece that a trailing `if … else …` would split. */
export function needsParentheses(tokens: readonly Token[]): boolean {
  const base = tokens[0]?.depth ?? 0;
  return tokens.some(
    (t) => t.depth === base && (isOp(t, ',') || isWord(t, 'if', 'lambda', 'yield', 'for', 'await')),
  );
}

/** The expression of a `return` or the right side of an assignment. */
export function valueTokens(statement: Statement): Token[] {
  const tokens = statement.tokens;
  if (statement.kind === 'return') return tokens.slice(1);
  const base = tokens[0]?.depth ?? 0;
  let last = -1;
  tokens.forEach((t, i) => {
    if (
      t.depth === base &&
      t.kind === 'op' &&
      (t.text === '=' ||
        (t.text.endsWith('=') && t.text.length >= 2 && !['==', '<=', '>=', '!='].includes(t.text)))
    )
      last = i;
  });
  return tokens.slice(last + 1);
}

/** Edits that turn the value `tokens` into `value if condition else fallback`. */
export function conditionalValue(tokens: readonly Token[], condition: string, fallback: string): Edit[] {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return [];
  const wrap = needsParentheses(tokens);
  return [
    ...(wrap ? [{ start: first.start, end: first.start, text: '(' }] : []),
    { start: last.end, end: last.end, text: `${wrap ? ')' : ''} if ${condition} else ${fallback}` },
  ];
}

/** Whether the statement is alone on its physical line(s), so lines can be added around it. */
export const ownsItsLines = (statement: Statement): boolean =>
  statement.standalone &&
  statement.kind !== 'header' &&
  statement.logical.firstLine === statement.logical.lastLine;

/** Edits that put `guard` (e.g. `if b:`) before the statement and indent the statement under it. */
export function wrapInBlock(source: PySource, statement: Statement, header: string): Edit[] {
  const line = statement.logical.firstLine;
  const indent = source.indentOf(line);
  const at = source.lineStart(line);
  return [
    {
      start: at,
      end: at + indent.length,
      text: `${indent}${header}${source.eol}${indent}${source.indentUnit}`,
    },
  ];
}

/** Edits that add lines (already unindented) before the statement, at its indentation. */
export function linesBefore(source: PySource, statement: Statement, lines: readonly string[]): Edit[] {
  const line = statement.logical.firstLine;
  const indent = source.indentOf(line);
  const unit = source.indentUnit;
  return [
    source.insertLinesBefore(
      line,
      lines.map((l) => indent + l.replace(/^\t+/, (tabs) => unit.repeat(tabs.length))),
    ),
  ];
}

/** Whether a name is bound inside the statement itself (a comprehension or lambda variable). */
export function bindsLocally(statement: Statement, names: readonly string[]): boolean {
  const tokens = statement.tokens;
  return tokens.some((t, i) => {
    if (!isWord(t, 'for', 'lambda')) return false;
    for (let j = i + 1; j < tokens.length && !isWord(tokens[j], 'in') && !isOp(tokens[j], ':'); j += 1) {
      if (names.includes(tokens[j]?.text ?? '')) return true;
    }
    return false;
  });
}
