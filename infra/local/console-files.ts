import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleConfigFile } from '../../shared/edge/console-config.js';

/** Where `npm run build:web` puts the console's static export. */
export const CONSOLE_DIR = resolve(fileURLToPath(new URL('../../web/out', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Paths the API, the WebSocket, the artifacts, the pages and the local issuer (its hosted UI,
 * token and logout endpoints, its JWKS) own: never answered with a console file.
 */
const RESERVED =
  /^\/(?:v1|ws|artifacts|pages|health|oauth2|logout|\.well-known)(?:\/|$)|^\/local\/@connections\//;

export interface ConsoleFilesOptions {
  /** The static export's directory. @default web/out */
  dir?: string;
  /** What `/config.json` answers: empty URLs mean the page's own origin; `auth` says how to sign in. */
  config?: ConsoleConfigFile;
}

/**
 * Serves the web console's static export at `/`: the client-routed pages `/sessions/<id>`,
 * `/tasks/<task>/<round>` and the share links `/s/<token>` rewritten to their one static page (and
 * their RSC payloads for client-side navigation), `/config.json`, hashed assets cached for good, HTML revalidated. Returns false for
 * what is not a console GET (the gateway serves it). Without a build, a page says how to make one.
 */
export function createConsoleFiles(options: ConsoleFilesOptions = {}) {
  const root = resolve(options.dir ?? CONSOLE_DIR);
  const config = JSON.stringify(options.config ?? { apiUrl: '', wsUrl: '' });
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const url = new URL(request.url ?? '/', 'http://localhost');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return false;
    }
    if (RESERVED.test(path)) return false;
    const head = request.method === 'HEAD';
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': TYPES['.json'] as string, 'cache-control': 'no-cache' });
      response.end(head ? undefined : config);
      return true;
    }
    if (path.includes('\0') || path.split('/').includes('..')) {
      notFound(response, head);
      return true;
    }
    if (!(await isFile(join(root, 'index.html')))) {
      response.writeHead(503, { 'content-type': TYPES['.html'] as string, 'cache-control': 'no-cache' });
      response.end(head ? undefined : MISSING_BUILD);
      return true;
    }
    const file = await locate(root, path);
    if (!file) {
      notFound(response, head, join(root, '404.html'));
      return true;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const cache = path.startsWith('/_next/static/') ? IMMUTABLE : 'no-cache';
    const { size } = await stat(file);
    response.writeHead(200, {
      'content-type': type,
      'content-length': String(size),
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    if (head) response.end();
    else createReadStream(file).pipe(response);
    return true;
  };
}

/** The file a console path names: rewrites for the client-routed pages, then $uri, $uri.html, $uri/index.html. */
async function locate(root: string, path: string): Promise<string | undefined> {
  const rewritten = rewrite(path);
  const candidates = rewritten ? [rewritten] : [path, `${path}.html`, join(path, 'index.html')];
  for (const candidate of candidates) {
    const file = resolve(root, `.${candidate}`);
    if (file !== root && !file.startsWith(root + sep)) return undefined;
    if (await isFile(file)) return file;
  }
  return undefined;
}

function rewrite(path: string): string | undefined {
  for (const [prefix, depth] of [
    ['sessions', 1],
    ['tasks', 2],
    ['s', 1],
  ] as const) {
    const segments = `[^/]+${'/[^/]+'.repeat(depth - 1)}`;
    const payload = new RegExp(`^/${prefix}/${segments}/(__next\\.[^/]+\\.txt)$`).exec(path);
    if (payload) return `/${prefix}/${payload[1]}`;
    if (new RegExp(`^/${prefix}/${segments}\\.txt$`).test(path)) return `/${prefix}.txt`;
    if (new RegExp(`^/${prefix}/${segments}/?$`).test(path)) return `/${prefix}.html`;
  }
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function notFound(response: ServerResponse, head: boolean, page?: string): void {
  response.writeHead(404, { 'content-type': TYPES['.html'] as string, 'cache-control': 'no-cache' });
  if (head) {
    response.end();
    return;
  }
  if (page) {
    stat(page)
      .then(() => createReadStream(page).pipe(response))
      .catch(() => response.end('<!doctype html><title>Not found</title><p>Not found.</p>'));
    return;
  }
  response.end('<!doctype html><title>Not found</title><p>Not found.</p>');
}

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Truth Engine console: not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<h1>The web console is not built</h1>
<p>Build it once, then reload this page:</p>
<pre>npm run web:install
npm run build:web</pre>
<p>The API is served all the same: <code>POST /v1/fixes</code>, <code>GET /v1/fixes/{id}</code>, <code>/ws</code>, <code>/health</code>.</p>
</body></html>
`;
