import { type LogicalLine, logicalLines, type Token, tokenize } from './python-tokens.js';

/** A replacement of `code.slice(start, end)` by `text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * A program as text plus the views the strategies need (lines, tokens, logical lines).
 * Every change is an {@link Edit} on absolute offsets, so untouched bytes — indentation,
 * line endings, comments — survive exactly.
 */
export class PySource {
  readonly code: string;
  /** Offset where each 1-based line starts (index 0 unused). */
  private readonly starts: number[];
  private cachedTokens?: Token[];
  private cachedLogical?: LogicalLine[];

  constructor(code: string) {
    this.code = code;
    this.starts = [0, 0];
    for (let i = 0; i < code.length; i += 1) {
      const ch = code[i];
      if (ch === '\n' || (ch === '\r' && code[i + 1] !== '\n')) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    // A trailing line break does not start another line.
    const last = this.starts[this.starts.length - 1] ?? 0;
    return last === this.code.length && this.starts.length > 2
      ? this.starts.length - 2
      : this.starts.length - 1;
  }

  get tokens(): Token[] {
    this.cachedTokens ??= tokenize(this.code);
    return this.cachedTokens;
  }

  /** Tokens without comments and line ends. */
  get codeTokens(): Token[] {
    return this.tokens.filter((t) => t.kind !== 'comment' && t.kind !== 'newline');
  }

  get logical(): LogicalLine[] {
    this.cachedLogical ??= logicalLines(this.tokens);
    return this.cachedLogical;
  }

  /** The logical line that contains physical line `line`. */
  logicalAt(line: number): LogicalLine | undefined {
    return this.logical.find((l) => l.firstLine <= line && line <= l.lastLine);
  }

  lineStart(line: number): number {
    return this.starts[line] ?? this.code.length;
  }

  /** Offset just before the line break of `line`. */
  lineEnd(line: number): number {
    let end = this.starts[line + 1] ?? this.code.length;
    if (end > this.lineStart(line) && this.code[end - 1] === '\n') end -= 1;
    if (end > this.lineStart(line) && this.code[end - 1] === '\r') end -= 1;
    return end;
  }

  lineText(line: number): string {
    return this.code.slice(this.lineStart(line), this.lineEnd(line));
  }

  lineOf(offset: number): number {
    let lo = 1;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  indentOf(line: number): string {
    return /^[ \t]*/.exec(this.lineText(line))?.[0] ?? '';
  }

  /** The line break the program uses most (new lines copy it). */
  get eol(): string {
    const crlf = this.code.match(/\r\n/g)?.length ?? 0;
    const lf = (this.code.match(/\n/g)?.length ?? 0) - crlf;
    return crlf > lf ? '\r\n' : '\n';
  }

  /** One level of indentation as the program writes it. */
  get indentUnit(): string {
    const widths = new Map<string, number>();
    let previous = '';
    for (let line = 1; line <= this.lineCount; line += 1) {
      if (this.lineText(line).trim() === '') continue;
      const indent = this.indentOf(line);
      if (indent.length > previous.length && indent.startsWith(previous)) {
        const step = indent.slice(previous.length);
        widths.set(step, (widths.get(step) ?? 0) + 1);
      }
      previous = indent;
    }
    let best = '    ';
    let count = 0;
    for (const [step, n] of widths) {
      if (n > count) {
        best = step;
        count = n;
      }
    }
    return best;
  }

  /** Offset after the last code character of a logical line (before a trailing comment and spaces). */
  logicalEnd(logical: LogicalLine): number {
    return logical.tokens[logical.tokens.length - 1]?.end ?? this.lineEnd(logical.lastLine);
  }

  /** An edit inserting whole lines before physical line `line`. */
  insertLinesBefore(line: number, texts: readonly string[]): Edit {
    const at = this.lineStart(line);
    if (line > this.lineCount) {
      const needsBreak = this.code.length > 0 && !/[\r\n]$/.test(this.code);
      return { start: at, end: at, text: (needsBreak ? this.eol : '') + texts.join(this.eol) + this.eol };
    }
    return { start: at, end: at, text: texts.map((t) => t + this.eol).join('') };
  }

  apply(edits: readonly Edit[]): string {
    return applyEdits(this.code, edits);
  }
}

/** Applies non-overlapping edits; overlapping ones after the first are dropped. */
export function applyEdits(code: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor) continue;
    out += code.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + code.slice(cursor);
}

/**
 * The physical line a module-level import should go on: after a shebang, an encoding line,
 * the module docstring and any `from __future__` imports.
 */
export function importInsertionLine(source: PySource): number {
  let line = 1;
  const text = (n: number) => source.lineText(n);
  while (line <= source.lineCount && /^#!|^#.*coding[:=]/.test(text(line))) line += 1;
  const first = source.logical.find((l) => l.firstLine >= line);
  let logicalIndex = first ? source.logical.indexOf(first) : -1;
  const isDocstring = (l: LogicalLine | undefined) =>
    l?.tokens.length === 1 && l.tokens[0]?.kind === 'string';
  if (logicalIndex >= 0 && isDocstring(source.logical[logicalIndex])) {
    line = (source.logical[logicalIndex]?.lastLine ?? 0) + 1;
    logicalIndex += 1;
  }
  for (;;) {
    const next = source.logical[logicalIndex];
    const [a, b] = next?.tokens ?? [];
    if (!next || a?.text !== 'from' || b?.text !== '__future__') break;
    line = next.lastLine + 1;
    logicalIndex += 1;
  }
  return line;
}
