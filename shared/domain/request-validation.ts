import type { z } from 'zod';
import { InvalidRequestError } from './errors.js';

/**
 * Validates a JSON body against a request schema: the body must be an object, and the first issue
 * becomes an InvalidRequestError naming its field (`body` for the whole).
 */
export function parseRequestBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('the request body must be a JSON object', 'body');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  const message =
    issue?.code === 'invalid_type' && issue.input === undefined ? `${field} is required` : issue?.message;
  throw new InvalidRequestError(message ?? 'invalid request', field);
}

/**
 * Parses a JSON text a client sent (a request body, a WebSocket message), a syntax error or an empty
 * text being an invalid `body`. `what` names it in the error: "the request body", "the message".
 */
export function parseJsonText(text: string | undefined | null, what = 'the request body'): unknown {
  if (text === undefined || text === null || text.trim() === '') {
    throw new InvalidRequestError(`${what} must be a JSON object`, 'body');
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InvalidRequestError(`${what} is not valid JSON`, 'body', { cause });
  }
}
