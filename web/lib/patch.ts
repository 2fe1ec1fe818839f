// The original program, rebuilt from a candidate's code and its unified diff (original → candidate):
// the session view carries each candidate's code and diff, not the original itself.

interface Hunk {
  newStart: number;
  lines: string[];
}

function parse(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  for (const line of diff.split('\n')) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (header) {
      current = { newStart: Number(header[1]), lines: [] };
      hunks.push(current);
    } else if (current && (line.startsWith(' ') || line.startsWith('-') || line.startsWith('+'))) {
      current.lines.push(line);
    } else if (current && line.startsWith('\\')) {
      current.lines.push(line);
    }
  }
  return hunks;
}

/** The original text, or null when the diff does not apply to `changed`. */
export function reverseApply(changed: string, diff: string): string | null {
  if (diff === '') return changed;
  const hunks = parse(diff);
  if (hunks.length === 0) return null;
  const source = changed.split('\n');
  const out: string[] = [];
  let cursor = 0; // index into source (0-based)
  let originalEndsWithoutNewline = false;
  for (const hunk of hunks) {
    // A hunk of zero new lines is numbered one line before the insertion point.
    const start = Math.max(
      0,
      hunk.newStart - 1 + (hunk.lines.some((l) => l.startsWith(' ') || l.startsWith('+')) ? 0 : 1),
    );
    while (cursor < start && cursor < source.length) out.push(source[cursor++] as string);
    let previous = '';
    for (const line of hunk.lines) {
      const body = line.slice(1);
      if (line.startsWith(' ')) {
        if (source[cursor] !== body) return null;
        out.push(body);
        cursor++;
      } else if (line.startsWith('+')) {
        if (source[cursor] !== body) return null;
        cursor++;
      } else if (line.startsWith('-')) {
        out.push(body);
      } else if (line.startsWith('\\') && previous.startsWith('-')) {
        originalEndsWithoutNewline = true;
      }
      previous = line;
    }
  }
  while (cursor < source.length) out.push(source[cursor++] as string);
  let text = out.join('\n');
  if (originalEndsWithoutNewline && text.endsWith('\n')) text = text.slice(0, -1);
  return text;
}
