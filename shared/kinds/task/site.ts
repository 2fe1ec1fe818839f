import { z } from 'zod';

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

/** A site bundle that cannot be read back as a site. */
export class SiteBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteBundleError';
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const bundleSchema = z
  .object({
    files: z.array(
      z
        .object({
          path: z.string().refine(isSafeSitePath, 'is not a safe site path'),
          // Canonical base64 only: Buffer.from would skip what is not base64 and hand over other bytes.
          base64: z.string().regex(BASE64, 'is not base64'),
        })
        .strict(),
    ),
  })
  .strict();

/**
 * A site as one piece of text, so it travels like any other handed-over content (inline, or by a
 * presigned URL): `{"files":[{"path","base64"}]}`, file contents byte for byte.
 */
export function encodeSiteBundle(files: readonly SiteFile[]): string {
  return JSON.stringify({
    files: files.map((file) => ({ path: file.path, base64: file.content.toString('base64') })),
  });
}

/** The files of a site bundle; a SiteBundleError says what is wrong with one that is not a safe site. */
export function decodeSiteBundle(text: string): SiteFile[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SiteBundleError(`a site bundle must be JSON: ${(error as Error).message}`);
  }
  const parsed = bundleSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => {
      const at = issue.path.length > 0 ? issue.path.join('.') : 'bundle';
      const path = pathAt(json, issue.path);
      return `${at}${path === undefined ? '' : ` (${JSON.stringify(path).slice(0, 100)})`}: ${issue.message}`;
    });
    throw new SiteBundleError(`invalid site bundle: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  return parsed.data.files.map(({ path, base64 }) => {
    if (seen.has(path))
      throw new SiteBundleError(`invalid site bundle: ${JSON.stringify(path)} is given twice`);
    seen.add(path);
    return { path, content: Buffer.from(base64, 'base64') };
  });
}

/** The `path` of the file an issue points into, to name it in the error. */
function pathAt(json: unknown, at: readonly PropertyKey[]): unknown {
  if (at[0] !== 'files' || typeof at[1] !== 'number') return undefined;
  const files = (json as { files?: unknown }).files;
  const entry = Array.isArray(files) ? (files[at[1]] as { path?: unknown } | undefined) : undefined;
  return typeof entry?.path === 'string' ? entry.path : undefined;
}
