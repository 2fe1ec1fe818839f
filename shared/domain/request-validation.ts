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
