import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { isSafeSitePath } from '../../kinds/task/site.js';
import { logger } from '../../observability/logger.js';
import { contentTypeFor } from '../sandbox/browser/content-types.js';
import { GitCommandError, git } from './git-cli.js';
import { isRepoSegment } from './repo-path.js';

export interface LocalPagesOptions {
  /** The same folder the local publisher writes to: `<rootDir>/<owner>/<repo>`. */
  rootDir: string;
  /** @default '/pages' */
  prefix?: string;
}

/** Answers a request if it is for the pages prefix (true), or leaves it to the next handler (false). */
export type PagesHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

type Lookup = { kind: 'file'; content: Buffer } | { kind: 'folder' } | { kind: 'missing' };

/**
 * Serves each local repository's committed tree at `<prefix>/<owner>/<repo>/…`, the way Pages
 * serves a branch: from the commit at the branch's head, never the working folder, `index.html`
 * for a folder, a redirect to add the slash a folder's relative links need, 404 for anything else.
 * A path with a dot segment, a hidden part or a character a site path may not hold is 404 before
 * git is asked anything.
 */
export function createLocalPagesHandler(options: LocalPagesOptions): PagesHandler {
  const root = resolve(options.rootDir);
  const prefix = (options.prefix ?? '/pages').replace(/\/+$/, '');
  return (request, response) => {
    const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
    if (rawPath !== prefix && !rawPath.startsWith(`${prefix}/`)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, { allow: 'GET, HEAD' }, 'method not allowed\n');
      return true;
    }
    const target = parse(rawPath.slice(prefix.length));
    if (!target) {
      send(response, 404, {}, 'not found\n');
      return true;
    }
    if (target.path === undefined) {
      send(response, 301, { location: `${rawPath}/` }, '');
      return true;
    }
    const gitDir = join(root, target.owner, target.repo, '.git');
    lookup(gitDir, target.path === '' ? 'index.html' : target.path)
      .then((found) => {
        if (found.kind === 'folder') send(response, 301, { location: `${rawPath}/` }, '');
        else if (found.kind === 'missing') send(response, 404, {}, 'not found\n');
        else {
          const path = target.path === '' ? 'index.html' : (target.path as string);
          send(
            response,
            200,
            { 'content-type': contentTypeFor(path) },
            request.method === 'HEAD' ? '' : found.content,
            found.content.length,
          );
        }
      })
      .catch((error: unknown) => {
        logger.error('local pages: read failed', { error: (error as Error).message });
        send(response, 500, {}, 'internal error\n');
      });
    return true;
  };
}

/**
 * `/<owner>/<repo>/<path>` split and decoded; `path` undefined when the slash after the repository
 * is missing, `''` for the site's root; undefined for a URL that cannot name a committed file.
 */
function parse(rest: string): { owner: string; repo: string; path: string | undefined } | undefined {
  const parts = rest.split('/').slice(1);
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
  const [owner, repo, ...file] = decoded;
  if (!owner || !repo || !isRepoSegment(owner) || !isRepoSegment(repo)) return undefined;
  if (file.length === 0) return { owner, repo, path: undefined };
  // Decoding must not make new separators: `..%2f..` stays one part, and is refused.
  if (file.some((part) => part.includes('/'))) return undefined;
  const folder = file.at(-1) === '';
  const path = (folder ? file.slice(0, -1) : file).join('/');
  if (path !== '' && !isSafeSitePath(path)) return undefined;
  return { owner, repo, path: folder ? (path === '' ? '' : `${path}/index.html`) : path };
}

/** The entry at `path` in the tree of HEAD: a regular file's bytes, a folder, or nothing. */
async function lookup(gitDir: string, path: string): Promise<Lookup> {
  let listing: string;
  try {
    listing = (await git(['ls-tree', '-z', '--full-tree', 'HEAD', '--', path], { gitDir })).toString('utf8');
  } catch (error) {
    // No such repository, or one with no commit yet: nothing is published there.
    if (error instanceof GitCommandError) return { kind: 'missing' };
    throw error;
  }
  // `<mode> <type> <sha>\t<path>\0`; git matches patterns, so only the exact path counts.
  for (const entry of listing.split('\0')) {
    const match = /^(\d{6}) (blob|tree|commit) ([0-9a-f]{40,64})\t(.*)$/s.exec(entry);
    if (!match || match[4] !== path) continue;
    if (match[2] === 'tree') return { kind: 'folder' };
    // A symlink (120000) or submodule is never followed.
    if (match[2] !== 'blob' || (match[1] !== '100644' && match[1] !== '100755')) return { kind: 'missing' };
    return { kind: 'file', content: await git(['cat-file', 'blob', match[3] as string], { gitDir }) };
  }
  return { kind: 'missing' };
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
  length = Buffer.byteLength(body),
): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
    'content-length': String(length),
    ...headers,
  });
  response.end(body);
}
