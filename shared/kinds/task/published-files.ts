import type { SiteFile } from './site.js';

/**
 * The files a round's commit holds: the site, plus an empty `.nojekyll` so GitHub Pages serves every
 * file as committed (Jekyll would turn `about.md` into `about.html` and hide `_`-prefixed files). The
 * local publisher commits the same tree, so both targets publish identical commits.
 */
export function publishedFiles(files: readonly SiteFile[]): SiteFile[] {
  const site = files.filter((file) => file.path !== '.nojekyll');
  return [...site, { path: '.nojekyll', content: Buffer.alloc(0) }].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}
