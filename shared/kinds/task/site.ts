/** A static site as the engine builds, checks and publishes it: paths relative to its root. */
export interface SiteFile {
  path: string;
  content: Buffer;
}

/** A site's files after a revision: written files replace, `delete` removes. */
export interface SiteChange {
  path: string;
  content?: string;
  delete?: true;
}

/** A path a site may hold: relative, no traversal, no hidden or git files, a plain alphabet. */
export function isSafeSitePath(path: string): boolean {
  if (path.length === 0 || path.length > 200 || path.startsWith('/') || path.includes('\\')) return false;
  return path
    .split('/')
    .every((part) => /^[A-Za-z0-9_][A-Za-z0-9._ -]*$/.test(part) && part !== '.git' && !part.startsWith('.'));
}

export function siteBytes(files: readonly SiteFile[]): number {
  return files.reduce((total, file) => total + file.content.length, 0);
}

/** Applies a revision to a site: the result is sorted by path and holds each path once. */
export function applyChanges(files: readonly SiteFile[], changes: readonly SiteChange[]): SiteFile[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  for (const change of changes) {
    if (change.delete) byPath.delete(change.path);
    else byPath.set(change.path, { path: change.path, content: Buffer.from(change.content ?? '', 'utf8') });
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}
