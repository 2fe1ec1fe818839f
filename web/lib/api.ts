import { currentToken } from './auth';
import { loadConfig } from './config';
import type { FixList, FixView, Me, SharedView, ShareLink, TaskRoundView } from './types';

/** An API refusal: the server's `error` text, the field it names, the HTTP status, and when a quota resets. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly resetsAt?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNAUTHORIZED = 'you are not signed in, or your sign-in has expired';

/** Who hears of a 401 (the store: it shows the sign-in prompt). */
let onUnauthorized: (() => void) | undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

interface CallOptions extends RequestInit {
  /** A public route: sent with no credential. */
  anonymous?: boolean;
}

async function call<T>(path: string, { anonymous = false, ...init }: CallOptions = {}): Promise<T> {
  const { apiUrl } = await loadConfig();
  const token = anonymous ? null : currentToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, { ...init, headers });
  } catch (error) {
    throw new ApiError(`the API could not be reached (${String(error)})`, 0);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const refusal = (body ?? {}) as { error?: unknown; field?: unknown; resetsAt?: unknown };
    if (response.status === 401 && !anonymous) onUnauthorized?.();
    const message =
      response.status === 401
        ? UNAUTHORIZED
        : typeof refusal.error === 'string'
          ? refusal.error
          : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(
      message,
      response.status,
      typeof refusal.field === 'string' ? refusal.field : undefined,
      typeof refusal.resetsAt === 'string' ? refusal.resetsAt : undefined,
    );
  }
  return body as T;
}

export interface FixRequest {
  code: string;
  filename?: string;
  error?: string;
  test?: string;
  maxRounds?: number;
}

export function postFix(request: FixRequest): Promise<{ sessionId: string; status: string }> {
  return call('/v1/fixes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
}

export function getFix(sessionId: string): Promise<FixView> {
  return call(`/v1/fixes/${encodeURIComponent(sessionId)}`, { cache: 'no-store' });
}

export function getTaskRound(task: string, round: string): Promise<TaskRoundView> {
  return call(`/v1/tasks/${encodeURIComponent(task)}/rounds/${encodeURIComponent(round)}`, {
    cache: 'no-store',
  });
}

export function getMe(): Promise<Me> {
  return call('/v1/me', { cache: 'no-store' });
}

/** The caller's sessions, newest first; `cursor` is the previous page's, as the API gave it. */
export function listMyFixes(cursor?: string, limit = 20): Promise<FixList> {
  const query = new URLSearchParams({ mine: '', limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return call(`/v1/fixes?${query.toString().replace('mine=', 'mine')}`, { cache: 'no-store' });
}

export function shareFix(sessionId: string): Promise<ShareLink> {
  return call(`/v1/fixes/${encodeURIComponent(sessionId)}/share`, { method: 'POST' });
}

export function revokeShare(sessionId: string): Promise<void> {
  return call(`/v1/fixes/${encodeURIComponent(sessionId)}/share`, { method: 'DELETE' });
}

/** A shared session's read-only view: a public route, so no credential goes with it. */
export function getShared(token: string): Promise<SharedView> {
  return call(`/v1/shared/${encodeURIComponent(token)}`, { cache: 'no-store', anonymous: true });
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
