import type { SiteFile } from '../../../ports/browser-runner.js';
import { InvalidSandboxJobError } from '../errors.js';

/** A path segment a static host would serve: no empty segments, no `.`/`..`, no NUL or backslash. */
function isSafePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || path.startsWith('/')) return false;
  if (/[\0\\]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * The candidate's files by path, as a static host serves them: `/` and `/dir/` answer their
 * `index.html`, and so does `/dir` (GitHub Pages redirects it there first). Query and hash are ignored.
 */
export class SiteFiles {
  private readonly byPath = new Map<string, Buffer>();

  constructor(files: readonly SiteFile[]) {
    for (const file of files) {
      if (!isSafePath(file.path))
        throw new InvalidSandboxJobError(
          `site file path ${JSON.stringify(file.path)} is not a plain relative path`,
        );
      if (this.byPath.has(file.path))
        throw new InvalidSandboxJobError(`site file ${JSON.stringify(file.path)} is given twice`);
      this.byPath.set(file.path, file.content);
    }
  }

  /** The file a URL path (`/a/b.html`, percent-encoded) names, or null when the site has none. */
  lookup(urlPath: string): { path: string; content: Buffer } | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    const relative = decoded.replace(/^\/+/, '');
    const candidates =
      relative === '' || relative.endsWith('/')
        ? [`${relative}index.html`]
        : [relative, `${relative}/index.html`];
    for (const path of candidates) {
      const content = this.byPath.get(path);
      if (content !== undefined) return { path, content };
    }
    return null;
  }
}
