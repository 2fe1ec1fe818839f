/** An owner or repository name as a folder: GitHub's alphabet, no leading dot (so never `.`, `..` or `.git`). */
export function isRepoSegment(name: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(name);
}
