import type { LineEdit } from '../../../domain/search-job.js';

/**
 * A program's lines as Python's tokenizer counts them (LF, CRLF and CR end a line; a form feed or
 * U+2028 does not), each with its ending. The planner (te_repair_plan.py) numbers its edits this
 * way, so whoever applies them must split the same way.
 */
const LINE = /[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g;

export function splitProgramLines(program: string): string[] {
  return program.match(LINE) ?? [];
}

/** The program with each edited line replaced by its text; the other lines stay byte for byte. */
export function applyEdits(program: string, edits: readonly LineEdit[]): string {
  const lines = splitProgramLines(program);
  for (const edit of [...edits].sort((a, b) => b.line - a.line)) {
    if (edit.line < 1 || edit.line > lines.length)
      throw new RangeError(`an edit names line ${edit.line} of a ${lines.length}-line program`);
    lines.splice(edit.line - 1, 1, ...edit.text);
  }
  return lines.join('');
}
