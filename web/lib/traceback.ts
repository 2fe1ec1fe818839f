// Recognises a pasted Python traceback and finds the line of the program it blames.

const HEADER = /^\s*Traceback \(most recent call last\):/m;
const FRAME = /^\s*File "([^"]+)", line (\d+)/gm;

export function isTraceback(text: string): boolean {
  return HEADER.test(text);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** The line of the traceback's last frame in `filename` (compared by base name), or null. */
export function blamedLine(text: string, filename: string): number | null {
  const wanted = baseName(filename);
  let line: number | null = null;
  for (const match of text.matchAll(FRAME)) {
    if (baseName(match[1] ?? '') === wanted) line = Number(match[2]);
  }
  return line;
}
