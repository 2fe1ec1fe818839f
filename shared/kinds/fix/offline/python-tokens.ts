/**
 * A tolerant Python tokenizer: enough to tell code from strings and comments, find names,
 * operators and brackets, and group tokens into logical lines. It never throws — the programs
 * it reads are broken by definition — and it keeps absolute offsets so edits touch only the
 * characters they mean to.
 */

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'comment' | 'newline';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Absolute offsets into the program, end exclusive. */
  start: number;
  end: number;
  /** 1-based physical line of the first character. */
  line: number;
  /** Bracket nesting depth before this token. */
  depth: number;
  /** Tokens of the `{…}` expressions of an f-string (offsets still absolute). */
  inner?: Token[];
}

const OPERATORS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '**',
  '//',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];

const OPENERS = '([{';
const CLOSERS = ')]}';
const STRING_PREFIX = /^(?:[rRbBuUfF]{1,2})?(?='|")/;

export const isOpener = (text: string): boolean => text.length === 1 && OPENERS.includes(text);
export const isCloser = (text: string): boolean => text.length === 1 && CLOSERS.includes(text);
export const closerFor = (opener: string): string => CLOSERS[OPENERS.indexOf(opener)] ?? ')';

const isIdentStart = (ch: string): boolean => /[\p{L}_]/u.test(ch);
const isIdentPart = (ch: string): boolean => /[\p{L}\p{N}_]/u.test(ch);

/** Tokenizes a whole program. */
export function tokenize(code: string): Token[] {
  return scan(code, 0, code.length, 1, 0, true);
}

function scan(code: string, from: number, to: number, firstLine: number, baseDepth: number, top: boolean) {
  const tokens: Token[] = [];
  let i = from;
  let line = firstLine;
  let depth = baseDepth;
  // A logical line is open once it holds a token; blank and comment-only lines never open one.
  let open = false;
  let continued = false;

  const push = (kind: TokenKind, start: number, end: number, startLine: number, extra?: Partial<Token>) => {
    tokens.push({ kind, text: code.slice(start, end), start, end, line: startLine, depth, ...extra });
    if (kind !== 'comment') open = true;
  };

  while (i < to) {
    const ch = code[i] as string;
    if (ch === '\n' || ch === '\r') {
      const width = ch === '\r' && code[i + 1] === '\n' ? 2 : 1;
      if (top && open && depth === 0 && !continued) {
        push('newline', i, i + width, line);
        open = false;
      }
      continued = false;
      i += width;
      line += 1;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\f') {
      i += 1;
      continue;
    }
    if (ch === '\\' && (code[i + 1] === '\n' || code[i + 1] === '\r')) {
      continued = true;
      i += 1;
      continue;
    }
    if (ch === '#') {
      let end = i;
      while (end < to && code[end] !== '\n' && code[end] !== '\r') end += 1;
      push('comment', i, end, line);
      i = end;
      continue;
    }
    const prefix = STRING_PREFIX.exec(code.slice(i, i + 3));
    if (prefix && (prefix[0].length === 0 || isStringPrefix(prefix[0]))) {
      const startLine = line;
      const { end, lines } = stringEnd(code, i + prefix[0].length, to);
      const isF = /f/i.test(prefix[0]);
      const inner = isF ? fStringExpressions(code, i + prefix[0].length, end, startLine, depth) : undefined;
      push('string', i, end, startLine, inner ? { inner } : {});
      line += lines;
      i = end;
      continue;
    }
    if (isIdentStart(ch)) {
      let end = i + 1;
      while (end < to && isIdentPart(code[end] as string)) end += 1;
      push('name', i, end, line);
      i = end;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(code[i + 1] ?? ''))) {
      const match =
        /^(?:0[xXoObB][0-9a-fA-F_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?[jJlL]?)/.exec(
          code.slice(i, Math.min(to, i + 80)),
        );
      const end = i + Math.max(1, match?.[0].length ?? 1);
      push('number', i, end, line);
      i = end;
      continue;
    }
    const op = OPERATORS.find((candidate) => code.startsWith(candidate, i)) ?? ch;
    if (isCloser(op)) depth = Math.max(0, depth - 1);
    push('op', i, i + op.length, line);
    if (isOpener(op)) depth += 1;
    i += op.length;
  }
  if (top && open) tokens.push({ kind: 'newline', text: '', start: to, end: to, line, depth: 0 });
  return tokens;
}

function isStringPrefix(prefix: string): boolean {
  const lower = prefix.toLowerCase();
  return ['r', 'b', 'u', 'f', 'rb', 'br', 'fr', 'rf'].includes(lower);
}

/** End offset of the string literal whose quote starts at `q`, and how many line breaks it spans. */
function stringEnd(code: string, q: number, to: number): { end: number; lines: number } {
  const quote = code[q] as string;
  const triple = code.startsWith(quote.repeat(3), q);
  let i = q + (triple ? 3 : 1);
  let lines = 0;
  while (i < to) {
    const ch = code[i];
    if (ch === '\\') {
      if (code[i + 1] === '\n' || code[i + 1] === '\r') lines += 1;
      i += 2;
      continue;
    }
    if (ch === '\n' || (ch === '\r' && code[i + 1] !== '\n')) {
      // An unterminated single-quoted string stops at the end of its line.
      if (!triple) return { end: i, lines };
      lines += 1;
    }
    if (triple ? code.startsWith(quote.repeat(3), i) : ch === quote) {
      return { end: i + (triple ? 3 : 1), lines };
    }
    i += 1;
  }
  return { end: to, lines };
}

/** Tokens of the replacement fields of an f-string body, so names inside them can be found and renamed. */
function fStringExpressions(code: string, q: number, end: number, line: number, depth: number): Token[] {
  const quote = code[q] as string;
  const open = code.startsWith(quote.repeat(3), q) ? 3 : 1;
  const bodyEnd = Math.max(q + open, end - open);
  const tokens: Token[] = [];
  let i = q + open;
  let currentLine = line;
  while (i < bodyEnd) {
    const ch = code[i];
    if (ch === '\n') currentLine += 1;
    if (ch === '{' && code[i + 1] === '{') {
      i += 2;
      continue;
    }
    if (ch === '{') {
      let nesting = 1;
      let j = i + 1;
      while (j < bodyEnd && nesting > 0) {
        if (code[j] === '{') nesting += 1;
        else if (code[j] === '}') nesting -= 1;
        if (nesting > 0) j += 1;
      }
      // Stop the expression at a format spec or conversion at its own nesting level.
      let exprEnd = i + 1;
      let level = 0;
      while (exprEnd < j) {
        const c = code[exprEnd] as string;
        if ('([{'.includes(c)) level += 1;
        else if (')]}'.includes(c)) level -= 1;
        else if (level === 0 && (c === ':' || (c === '!' && code[exprEnd + 1] !== '='))) break;
        exprEnd += 1;
      }
      tokens.push(...scan(code, i + 1, exprEnd, currentLine, depth + 1, false));
      i = j + 1;
      continue;
    }
    i += 1;
  }
  return tokens;
}

/** A logical line: the tokens of one statement line, without comments. */
export interface LogicalLine {
  tokens: Token[];
  firstLine: number;
  lastLine: number;
  /** The comment that trails the last physical line, if any. */
  comment?: Token;
}

export function logicalLines(tokens: readonly Token[]): LogicalLine[] {
  const result: LogicalLine[] = [];
  let current: Token[] = [];
  let comment: Token | undefined;
  for (const token of tokens) {
    if (token.kind === 'comment') {
      comment = token;
      continue;
    }
    if (token.kind === 'newline') {
      const first = current[0];
      const last = current[current.length - 1];
      if (first && last) {
        const trailing =
          comment && comment.line === last.line && comment.start > last.start ? comment : undefined;
        result.push({
          tokens: current,
          firstLine: first.line,
          lastLine: lastLineOf(last),
          ...(trailing ? { comment: trailing } : {}),
        });
      }
      current = [];
      comment = undefined;
      continue;
    }
    current.push(token);
  }
  return result;
}

const lastLineOf = (token: Token): number => token.line + (token.text.match(/\r\n|\r|\n/g)?.length ?? 0);

/** Index of the bracket matching the one at `index` (forwards for openers, backwards for closers), or -1. */
export function matchingBracket(tokens: readonly Token[], index: number): number {
  const token = tokens[index];
  if (token?.kind !== 'op') return -1;
  const forward = isOpener(token.text);
  if (!forward && !isCloser(token.text)) return -1;
  let level = 0;
  for (let i = index; forward ? i < tokens.length : i >= 0; i += forward ? 1 : -1) {
    const t = tokens[i] as Token;
    if (t.kind !== 'op') continue;
    if (isOpener(t.text)) level += forward ? 1 : -1;
    else if (isCloser(t.text)) level += forward ? -1 : 1;
    if (level === 0) return i;
  }
  return -1;
}

export const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
const ATOM_KEYWORDS = new Set(['None', 'True', 'False']);

/** True when the token can end an operand (so a following `-` or `(` binds to it). */
export function endsOperand(token: Token | undefined): boolean {
  if (!token) return false;
  if (token.kind === 'number' || token.kind === 'string') return true;
  if (token.kind === 'name') return !KEYWORDS.has(token.text) || ATOM_KEYWORDS.has(token.text);
  return isCloser(token.text);
}

const isAtomName = (token: Token): boolean =>
  token.kind === 'name' && (!KEYWORDS.has(token.text) || ATOM_KEYWORDS.has(token.text));

/**
 * Last index of the operand that starts at `index`, at the precedence of a multiplicative
 * operator's right side: unary signs, an atom, trailers (`.x`, `(…)`, `[…]`) and a `**` power.
 * Returns -1 when no operand starts there.
 */
export function operandEnd(tokens: readonly Token[], index: number): number {
  let i = index;
  while (tokens[i]?.kind === 'op' && ['-', '+', '~'].includes(tokens[i]?.text ?? '')) i += 1;
  if (tokens[i]?.kind === 'name' && tokens[i]?.text === 'await') i += 1;
  const atom = tokens[i];
  if (!atom) return -1;
  let end: number;
  if (atom.kind === 'number' || (atom.kind === 'name' && isAtomName(atom))) end = i;
  else if (atom.kind === 'string') {
    end = i;
    while (tokens[end + 1]?.kind === 'string') end += 1;
  } else if (atom.kind === 'op' && isOpener(atom.text)) {
    end = matchingBracket(tokens, i);
    if (end < 0) return -1;
  } else return -1;
  for (;;) {
    const next = tokens[end + 1];
    if (next?.kind === 'op' && next.text === '.' && tokens[end + 2]?.kind === 'name') end += 2;
    else if (next?.kind === 'op' && (next.text === '(' || next.text === '[')) {
      const close = matchingBracket(tokens, end + 1);
      if (close < 0) return end;
      end = close;
    } else if (next?.kind === 'op' && next.text === '**') {
      const power = operandEnd(tokens, end + 2);
      if (power < 0) return end;
      end = power;
    } else return end;
  }
}

/** First index of the primary (atom plus trailers, no unary sign) that ends at `index`. */
export function primaryStart(tokens: readonly Token[], index: number): number {
  let i = index;
  for (;;) {
    const token = tokens[i];
    if (!token) return index;
    if (token.kind === 'op' && isCloser(token.text)) {
      const open = matchingBracket(tokens, i);
      if (open < 0) return i;
      // `(…)` or `[…]` directly after an operand is a trailer; otherwise it is the atom.
      const before = tokens[open - 1];
      if (token.text !== '}' && endsOperand(before)) {
        i = open - 1;
        continue;
      }
      return open;
    }
    if (token.kind === 'name' || token.kind === 'number' || token.kind === 'string') {
      const before = tokens[i - 1];
      if (before?.kind === 'op' && before.text === '.' && endsOperand(tokens[i - 2])) {
        i -= 2;
        continue;
      }
      if (token.kind === 'string') {
        while (tokens[i - 1]?.kind === 'string') i -= 1;
      }
      return i;
    }
    return index;
  }
}

/** Text between the start of token `from` and the end of token `to`. */
export const spanText = (code: string, tokens: readonly Token[], from: number, to: number): string =>
  code.slice(tokens[from]?.start ?? 0, tokens[to]?.end ?? 0);
