import type { PySource } from '../python-source.js';
import { KEYWORDS, type LogicalLine, type Token } from '../python-tokens.js';
import type { ParsedError } from '../traceback.js';

/** What a strategy knows about one program and the error it raised. */
export interface FixContext {
  source: PySource;
  /** The parsed error; undefined when none was given (strategies may still look statically). */
  error?: ParsedError;
  /** 1-based line of the program the error points at, when the traceback names one. */
  line?: number;
}

/** A full replacement program and why. */
export interface Fix {
  code: string;
  title: string;
  rationale: string;
}

/** One kind of repair. Returns its variants best first; an empty list when it does not apply. */
export interface FixStrategy {
  readonly name: string;
  propose(context: FixContext): Fix[];
}

export const isOp = (token: Token | undefined, ...texts: string[]): boolean =>
  token?.kind === 'op' && texts.includes(token.text);

export const isWord = (token: Token | undefined, ...texts: string[]): boolean =>
  token?.kind === 'name' && texts.includes(token.text);

/** Inline code for titles and rationales. */
export const quote = (text: string): string => `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``;

/**
 * Absolute offsets of the span the traceback's caret line marks on the error line, when the
 * printed source still matches the program (it would not after an edit).
 */
export function markedSpan(
  context: FixContext,
): { start: number; end: number; focusStart: number; focusEnd: number } | undefined {
  const frame = context.error?.programFrame;
  const line = context.line;
  if (!frame?.marker || line === undefined) return undefined;
  const text = context.source.lineText(line);
  if (frame.source !== undefined && text.trim() !== frame.source) return undefined;
  const base = context.source.lineStart(line) + (text.length - text.trimStart().length);
  return {
    start: base + frame.marker.start,
    end: base + frame.marker.end,
    focusStart: base + frame.marker.focus.start,
    focusEnd: base + frame.marker.focus.end,
  };
}

const COMPOUND = new Set([
  'if',
  'elif',
  'else',
  'for',
  'while',
  'with',
  'try',
  'except',
  'finally',
  'def',
  'class',
]);

/** A simple statement: one `;`-separated piece of a logical line (or the body after a one-line header). */
export interface Statement {
  logical: LogicalLine;
  tokens: Token[];
  kind: 'return' | 'assign' | 'augmented' | 'expression' | 'header' | 'other';
  /** Whether the statement has its lines to itself, so lines can go before it or it can be indented. */
  standalone: boolean;
}

/** The simple statement of `line` that contains the token at `offset` (or the first one). */
export function statementAt(source: PySource, line: number, offset?: number): Statement | undefined {
  const logical = source.logicalAt(line);
  if (!logical) return undefined;
  const pieces: Token[][] = [[]];
  const base = logical.tokens[0]?.depth ?? 0;
  const headed = COMPOUND.has(logical.tokens[0]?.text ?? '') || isWord(logical.tokens[0], 'async');
  let headerDone = !headed;
  let lambdas = 0;
  for (const token of logical.tokens) {
    if (token.depth === base && isWord(token, 'lambda')) lambdas += 1;
    if (token.depth === base && isOp(token, ';')) {
      pieces.push([]);
      continue;
    }
    if (!headerDone && token.depth === base && isOp(token, ':')) {
      if (lambdas > 0) lambdas -= 1;
      else {
        (pieces[pieces.length - 1] as Token[]).push(token);
        pieces.push([]);
        headerDone = true;
        continue;
      }
    }
    (pieces[pieces.length - 1] as Token[]).push(token);
  }
  const nonEmpty = pieces.filter((p) => p.length > 0);
  const tokens =
    (offset === undefined
      ? undefined
      : nonEmpty.find((p) => (p[0]?.start ?? 0) <= offset && offset < (p[p.length - 1]?.end ?? 0))) ??
    nonEmpty[0];
  if (!tokens) return undefined;
  const isHeader = headed && tokens === nonEmpty[0];
  return { logical, tokens, kind: isHeader ? 'header' : kindOf(tokens), standalone: nonEmpty.length === 1 };
}

function kindOf(tokens: readonly Token[]): Statement['kind'] {
  if (isWord(tokens[0], 'return')) return 'return';
  const base = tokens[0]?.depth ?? 0;
  const top = tokens.filter((t) => t.depth === base && t.kind === 'op');
  if (top.some((t) => t.text === '=')) return 'assign';
  if (
    top.some((t) => t.text.length >= 2 && t.text.endsWith('=') && !['==', '<=', '>=', '!='].includes(t.text))
  )
    return 'augmented';
  if (
    tokens[0]?.kind === 'name' &&
    KEYWORDS.has(tokens[0].text) &&
    !['await', 'not', 'lambda'].includes(tokens[0].text)
  )
    return 'other';
  return 'expression';
}

/** Headers of the loops that enclose `line` (innermost first), found by indentation. */
export function enclosingLoops(source: PySource, line: number): LogicalLine[] {
  const loops: LogicalLine[] = [];
  const here = source.logicalAt(line);
  let indent = source.indentOf(here?.firstLine ?? line).length;
  for (let l = (here?.firstLine ?? line) - 1; l >= 1 && indent > 0; l -= 1) {
    const logical = source.logicalAt(l);
    if (!logical || logical.firstLine !== l) continue;
    const width = source.indentOf(l).length;
    if (width >= indent) continue;
    indent = width;
    const head = logical.tokens[isWord(logical.tokens[0], 'async') ? 1 : 0];
    if (isWord(head, 'for', 'while')) loops.push(logical);
    if (isWord(head, 'def', 'class')) break;
  }
  return loops;
}

/** The enclosing `def` header of `line`, if any. */
export function enclosingFunction(source: PySource, line: number): LogicalLine | undefined {
  const first = source.logicalAt(line)?.firstLine ?? line;
  let indent = source.indentOf(first).length;
  for (let l = first - 1; l >= 1 && indent > 0; l -= 1) {
    const logical = source.logicalAt(l);
    if (!logical || logical.firstLine !== l) continue;
    const width = source.indentOf(l).length;
    if (width >= indent) continue;
    indent = width;
    const head = logical.tokens[isWord(logical.tokens[0], 'async') ? 1 : 0];
    if (isWord(head, 'def')) return logical;
    if (isWord(head, 'class')) return undefined;
  }
  return undefined;
}

/** Drops fixes that repeat an earlier one or leave the program as it was. */
export function distinct(original: string, fixes: readonly Fix[]): Fix[] {
  const seen = new Set<string>([original]);
  return fixes.filter((fix) => {
    if (seen.has(fix.code)) return false;
    seen.add(fix.code);
    return true;
  });
}
