/** GitHub refuses a repository whose description is 350 characters or more. */
const MAX_DESCRIPTION = 349;

/**
 * A repository description GitHub accepts: one line, no control characters, under 350 characters.
 * A description with a newline (a brief pasted in) is what made repository creation fail.
 */
export function repoDescription(text: string): string {
  const line = text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (line.length <= MAX_DESCRIPTION) return line;
  // By code point, so an emoji is never cut in half; the ellipsis takes the last place.
  let cut = '';
  for (const char of line) {
    if (cut.length + char.length > MAX_DESCRIPTION - 1) break;
    cut += char;
  }
  return `${cut.trimEnd()}…`;
}
