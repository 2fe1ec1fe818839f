import WebSocket from 'ws';
import type { SessionEvent } from '../domain/events.js';

export type ResultEvent = Extract<SessionEvent, { type: 'result' }>;

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
  request: FixRequestBody;
  onEvent?: (event: SessionEvent) => void;
  timeoutMs?: number;
}): Promise<ResultEvent> {
  const { url, request, onEvent, timeoutMs = 300_000 } = options;
  return new Promise<ResultEvent>((resolve, reject) => {
    const socket = new WebSocket(url);
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
    socket.on('open', () => socket.send(JSON.stringify({ action: 'fix', ...request })));
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
    socket.on('error', (error) =>
      finish(() => reject(new FixClientError(`cannot reach ${url}: ${error.message}`, { cause: error }))),
    );
    socket.on('close', () =>
      finish(() => reject(new FixClientError('the connection closed before the result arrived'))),
    );
  });
}
