/**
 * Models wrap code in markdown fences even when told not to. Only a fence around the whole text is
 * removed: a fence inside the program (say, in a docstring) is part of the program.
 */
const WHOLE_FENCE = /^```[\w+.-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

export function stripFences(text: string): string {
  const trimmed = text.trim();
  const match = WHOLE_FENCE.exec(trimmed);
  if (!match) return text;
  const inner = match[1] ?? '';
  return inner.endsWith('\n') ? inner : `${inner}\n`;
}
