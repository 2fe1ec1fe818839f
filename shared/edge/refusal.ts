import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  QuotaExceededError,
  RequestTooLargeError,
  SecretRefusedError,
  TooManyRefusalsError,
  TooManySubscribersError,
  UnauthenticatedError,
} from '../domain/errors.js';
import type { SessionEvent } from '../domain/events.js';

/** How a refusal reaches a client: a status code for HTTP, and the body every channel shows. */
export interface Refusal {
  statusCode: number;
  body: { error: string; field?: string; resetsAt?: string };
  /** Headers the answer carries beside the body (`Retry-After`). */
  headers?: Record<string, string>;
}

const refusal = (statusCode: number, error: string, field?: string): Refusal => ({
  statusCode,
  body: field === undefined ? { error } : { error, field },
});

/** A quota refusal says when to come back, in the body and as Retry-After (whole seconds, at least 1). */
function quotaRefusal(error: QuotaExceededError): Refusal {
  const seconds = Math.max(1, Math.ceil((error.resetsAt.getTime() - Date.now()) / 1000));
  return {
    statusCode: 429,
    body: { error: error.message, resetsAt: error.resetsAt.toISOString() },
    headers: { 'Retry-After': String(seconds) },
  };
}

/**
 * The one table from what the engine refuses to what the client is told. Anything else is a fault
 * of ours, not the client's: undefined, and its message must never reach the client.
 */
export function refusalOf(error: unknown): Refusal | undefined {
  if (error instanceof InvalidRequestError) return refusal(400, error.message, error.field);
  if (error instanceof UnauthenticatedError) return refusal(401, error.message);
  if (error instanceof ForbiddenError) return refusal(403, error.message);
  if (error instanceof SecretRefusedError) return refusal(403, error.message, error.field);
  // Unknown sessions, task rounds and routes alike.
  if (error instanceof NotFoundError) return refusal(404, error.message);
  if (error instanceof ConflictError) return refusal(409, error.message, error.field);
  if (error instanceof RequestTooLargeError) return refusal(413, error.message, error.field);
  if (error instanceof TooManyRefusalsError) return refusal(429, error.message);
  if (error instanceof QuotaExceededError) return quotaRefusal(error);
  if (error instanceof TooManySubscribersError) return refusal(429, error.message, error.field);
  return undefined;
}

/** What a fault of ours is answered with: nothing of it is told. */
export const INTERNAL_FAULT: Refusal = refusal(500, 'internal error');

/** The HTTP API's answer to a request that threw. */
export function httpErrorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const { statusCode, body, headers } = refusalOf(error) ?? INTERNAL_FAULT;
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The WebSocket API's answer to a refused message: an `error` event naming the field, bound to no
 * session. Undefined for a fault of ours, which fails the invocation instead.
 */
export function wsErrorEvent(error: unknown): SessionEvent | undefined {
  const refused = refusalOf(error);
  if (!refused) return undefined;
  const { error: message, field } = refused.body;
  return { type: 'error', sessionId: null, message, ...(field === undefined ? {} : { field }) };
}
