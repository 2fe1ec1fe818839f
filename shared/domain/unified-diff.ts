import { createTwoFilesPatch, structuredPatch } from 'diff';

/** A unified diff of the original program against a candidate, as `git diff` would show it. */
export function unifiedDiff(filename: string, original: string, changed: string): string {
  if (original === changed) return '';
  const patch = createTwoFilesPatch(`a/${filename}`, `b/${filename}`, original, changed, '', '', {
    context: 3,
  });
  // The library opens with a row of '=' that no patch tool expects.
  return patch.replace(/^=+\n/, '');
}

/** Lines added plus lines removed: the size of a change, for breaking ties between equally fast fixes. */
export function changedLineCount(original: string, changed: string): number {
  const { hunks } = structuredPatch('a', 'b', original, changed, '', '', { context: 0 });
  let count = 0;
  for (const hunk of hunks) {
    for (const line of hunk.lines) if (line.startsWith('+') || line.startsWith('-')) count += 1;
  }
  return count;
}
