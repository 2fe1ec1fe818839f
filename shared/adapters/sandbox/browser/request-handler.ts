import type { Route, WebSocketRoute } from 'playwright-core';
import { type CdnLibraries, parseCdnUrl } from './cdn-libraries.js';
import { contentTypeFor } from './content-types.js';
import type { JobRecord } from './job-record.js';
import type { SiteFiles } from './site-files.js';

/** Browser-initiated, not the page's: its absence is not a broken site. */
const IMPLICIT_PATHS = new Set(['/favicon.ico']);

const NOT_FOUND = '<!DOCTYPE html><title>404 File not found</title><h1>404</h1><p>File not found</p>\n';

/**
 * Answers every request the page makes, so nothing goes to a network: the site's own files under
 * `origin`, the shipped CDN libraries, and an abort (recorded) for anything else.
 */
export function createRequestHandler(
  origin: string,
  site: SiteFiles,
  cdn: CdnLibraries,
  record: JobRecord,
): (route: Route) => Promise<void> {
  return async (route) => {
    try {
      await answer(route);
    } catch {
      // the browser went away while the request was pending (a kill, a crash)
    }
  };

  async function answer(route: Route): Promise<void> {
    const request = route.request();
    let url: URL;
    try {
      url = new URL(request.url());
    } catch {
      return route.abort('blockedbyclient');
    }
    if (url.origin === origin) {
      const method = request.method();
      if (method !== 'GET' && method !== 'HEAD')
        return route.fulfill({ status: 405, contentType: 'text/plain', body: 'Method Not Allowed' });
      const file = site.lookup(url.pathname);
      if (file === null) {
        if (!IMPLICIT_PATHS.has(url.pathname)) record.failedRequests.push(url.pathname);
        return route.fulfill({ status: 404, contentType: contentTypeFor('404.html'), body: NOT_FOUND });
      }
      return route.fulfill({
        status: 200,
        contentType: contentTypeFor(file.path),
        body: file.content,
        headers: { 'cache-control': 'no-store' },
      });
    }
    const cdnRequest = url.protocol === 'https:' ? parseCdnUrl(url) : null;
    if (cdnRequest !== null) {
      const file = await cdn.resolve(cdnRequest);
      if (file !== null) {
        if (file.substitution !== undefined) record.cdnSubstitutions.push(file.substitution);
        return route.fulfill({
          status: 200,
          contentType: contentTypeFor(file.servedPath),
          body: file.content,
          headers: { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=31536000' },
        });
      }
    }
    record.refuse(url.host || url.protocol);
    return route.abort('blockedbyclient');
  }
}

/** WebSockets are never connected: the sandbox has nothing to answer them with. */
export function createWebSocketHandler(record: JobRecord): (ws: WebSocketRoute) => void {
  return (ws) => {
    try {
      record.refuse(new URL(ws.url()).host);
    } catch {
      record.refuse('(unparsable WebSocket URL)');
    }
    ws.close({ code: 1008, reason: 'not verifiable offline' }).catch(() => undefined);
  };
}
