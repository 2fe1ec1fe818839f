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

/** A site as one JSON text (`{"files":[{"path","base64"}]}`), the way it travels to the sandbox. */
export function encodeSiteBundle(files: readonly SiteFile[]): string {
  return JSON.stringify({
    files: files.map((file) => ({ path: file.path, base64: file.content.toString('base64') })),
  });
}

export function decodeSiteBundle(text: string): SiteFile[] {
  const parsed = JSON.parse(text) as { files: Array<{ path: string; base64: string }> };
  return parsed.files.map((file) => ({ path: file.path, content: Buffer.from(file.base64, 'base64') }));
}
