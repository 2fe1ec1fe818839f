import { loadConfig } from './config';
import type { FixView, TaskRoundView } from './types';

/** An API refusal: the server's `error` text, the field it names, and the HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const { apiUrl } = await loadConfig();
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, init);
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
    const refusal = (body ?? {}) as { error?: unknown; field?: unknown };
    const message =
      typeof refusal.error === 'string' ? refusal.error : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(
      message,
      response.status,
      typeof refusal.field === 'string' ? refusal.field : undefined,
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

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
