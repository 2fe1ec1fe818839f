import { formatPatch, type StructuredPatch, structuredPatch } from 'diff';

/** A candidate's change against the original program. */
export interface ProgramDiff {
  /** A unified diff as `git diff` shows it; empty when nothing changed. */
  diff: string;
  /** Lines added plus lines removed: the size of a change, for breaking ties between equal runs. */
  changedLines: number;
  /** True when the change was too large to diff line by line and is shown as a full replacement. */
  fullReplacement: boolean;
}

/**
 * Beyond this many differing lines, or this long, the diff is not searched for: a line diff costs
 * O(N·D) and a full rewrite of a 1 MiB program would block the event loop for tens of seconds.
 */
export const MAX_EDIT_LINES = 2000;
export const DIFF_TIMEOUT_MS = 250;

/** The change from `original` to `changed`, in bounded time: a real diff, or a full replacement. */
export function diffProgram(filename: string, original: string, changed: string): ProgramDiff {
  if (original === changed) return { diff: '', changedLines: 0, fullReplacement: false };
  const found = structuredPatch(`a/${filename}`, `b/${filename}`, original, changed, '', '', {
    context: 3,
    maxEditLength: MAX_EDIT_LINES,
    timeout: DIFF_TIMEOUT_MS,
  });
  const patch = found ?? fullReplacement(filename, original, changed);
  let changedLines = 0;
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) if (line.startsWith('+') || line.startsWith('-')) changedLines += 1;
  }
  // The formatter opens with a row of '=' that no patch tool expects.
  const diff = formatPatch(patch).replace(/^=+\n/, '');
  return { diff, changedLines, fullReplacement: found === undefined };
}

/** One hunk removing every old line and adding every new one: linear, and still a valid patch. */
function fullReplacement(filename: string, original: string, changed: string): StructuredPatch {
  const side = (text: string, mark: '-' | '+') => {
    if (text === '') return { count: 0, lines: [] as string[] };
    const lines = text.split('\n');
    const endsWithNewline = lines.at(-1) === '';
    if (endsWithNewline) lines.pop();
    const marked = lines.map((line) => `${mark}${line}`);
    if (!endsWithNewline) marked.push('\\ No newline at end of file');
    return { count: lines.length, lines: marked };
  };
  const removed = side(original, '-');
  const added = side(changed, '+');
  return {
    oldFileName: `a/${filename}`,
    newFileName: `b/${filename}`,
    oldHeader: '',
    newHeader: '',
    hunks: [
      {
        // The formatter prints an empty side as `-0,0` from a start of 1.
        oldStart: 1,
        oldLines: removed.count,
        newStart: 1,
        newLines: added.count,
        lines: [...removed.lines, ...added.lines],
      },
    ],
  };
}
