import WebSocket from 'ws';
import type { ResultEvent, SessionEvent } from '../domain/events.js';
import { MAX_WS_MESSAGE_BYTES } from '../domain/limits.js';

export type { ResultEvent };

export class FixClientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FixClientError';
  }
}

export interface FixRequestBody {
  code: string;
  filename?: string;
  error?: string;
  test?: string;
  candidates?: string[];
  maxRounds?: number;
}

/**
 * Sends a fix request over the WebSocket API and follows its session until the result arrives.
 * Every event of the session is handed to `onEvent` as it comes.
 */
export function requestFix(options: {
  url: string;
  /** The HTTP API: a request too large for one WebSocket frame is posted there, then followed. @default beside `url` */
  apiUrl?: string;
  request: FixRequestBody;
  onEvent?: (event: SessionEvent) => void;
  timeoutMs?: number;
  /** An API key (`te_…`) or an ID token; without one, only a local stack that signs in its default user answers. */
  credential?: string;
}): Promise<ResultEvent> {
  const { url, request, onEvent, timeoutMs = 300_000, credential } = options;
  const apiUrl = options.apiUrl ?? defaultApiUrl(url);
  const message = JSON.stringify({ action: 'fix', ...request });
  const viaHttp = Buffer.byteLength(message, 'utf8') > MAX_WS_MESSAGE_BYTES;
  return new Promise<ResultEvent>((resolve, reject) => {
    // Browsers cannot set headers on a WebSocket, so the API takes the credential as `token` on connect.
    const socket = new WebSocket(withToken(url, credential));
    let sessionId: string | null = null;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new FixClientError(`no result within ${Math.round(timeoutMs / 1000)} s`))),
      timeoutMs,
    );
    socket.on('open', () => {
      if (!viaHttp) {
        socket.send(message);
        return;
      }
      postFix(apiUrl, request, credential).then(
        (id) => {
          sessionId = id;
          onEvent?.({ type: 'accepted', sessionId: id, status: 'queued' });
          socket.send(JSON.stringify({ action: 'subscribe', sessionId: id }));
        },
        (error: unknown) => finish(() => reject(error)),
      );
    });
    socket.on('message', (data) => {
      let event: SessionEvent;
      try {
        event = JSON.parse(data.toString()) as SessionEvent;
      } catch {
        return;
      }
      if (event.type === 'accepted' && sessionId === null) sessionId = event.sessionId;
      if (event.sessionId !== null && sessionId !== null && event.sessionId !== sessionId) return;
      onEvent?.(event);
      if (event.type === 'error') {
        const where = event.field ? ` (${event.field})` : '';
        finish(() => reject(new FixClientError(`the server refused the request${where}: ${event.message}`)));
      } else if (event.type === 'result') {
        finish(() => resolve(event));
      }
    });
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      const why =
        status === 401 || status === 403
          ? 'the server refused the credential: set TRUTH_ENGINE_KEY to an API key (make one in the console)'
          : `the server refused the connection: HTTP ${status}`;
      finish(() => reject(new FixClientError(why)));
    });
    socket.on('error', (error) =>
      finish(() => reject(new FixClientError(`cannot reach ${url}: ${error.message}`, { cause: error }))),
    );
    socket.on('close', () =>
      finish(() => reject(new FixClientError('the connection closed before the result arrived'))),
    );
  });
}

/** The WebSocket URL with the credential as its `token` query parameter. */
function withToken(url: string, credential: string | undefined): string {
  if (!credential) return url;
  const withCredential = new URL(url);
  withCredential.searchParams.set('token', credential);
  return withCredential.toString();
}

const authorization = (credential: string | undefined): Record<string, string> =>
  credential ? { authorization: `Bearer ${credential}` } : {};

async function postFix(apiUrl: string, request: FixRequestBody, credential?: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl.replace(/\/$/, '')}/v1/fixes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authorization(credential) },
      body: JSON.stringify(request),
    });
  } catch (error) {
    throw new FixClientError(`cannot reach ${apiUrl}: ${(error as Error).message}`, { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as {
    sessionId?: string;
    error?: string;
    field?: string;
  };
  if (response.status !== 202 || typeof body.sessionId !== 'string') {
    const where = body.field ? ` (${body.field})` : '';
    throw new FixClientError(
      `the server refused the request${where}: ${body.error ?? `HTTP ${response.status}`}`,
    );
  }
  return body.sessionId;
}

/** The winner's diff from the session view, for a result event too large to carry it. */
export async function fetchWinnerDiff(
  apiUrl: string,
  sessionId: string,
  credential?: string,
): Promise<string | null> {
  const response = await fetch(`${apiUrl.replace(/\/$/, '')}/v1/fixes/${encodeURIComponent(sessionId)}`, {
    headers: authorization(credential),
  });
  if (!response.ok) throw new FixClientError(`cannot read session ${sessionId}: HTTP ${response.status}`);
  const view = (await response.json()) as { winner?: { diff?: string | null; diffUrl?: string } | null };
  if (typeof view.winner?.diff === 'string') return view.winner.diff;
  // Too large for the session view itself: the view names where to read it.
  if (!view.winner?.diffUrl) return null;
  const diff = await fetch(view.winner.diffUrl);
  if (!diff.ok) throw new FixClientError(`cannot read the winner's diff: HTTP ${diff.status}`);
  return diff.text();
}

/** The HTTP API beside a WebSocket URL, as the local stack serves both: ws://host:port/ws → http://host:port. */
export function defaultApiUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/ws\/?$/, '/');
  return url.toString().replace(/\/$/, '');
}
