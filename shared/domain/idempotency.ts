import { createHash } from 'node:crypto';
import { InvalidRequestError } from './errors.js';
import type { FixProblem } from './types.js';

/** How long a key holds its session: a client retrying a lost answer does so within minutes. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

const KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/** A client's Idempotency-Key header, checked; undefined when the client sent none. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY.test(value)) {
    throw new InvalidRequestError(
      'Idempotency-Key must be 1 to 255 letters, digits or . _ : -',
      'Idempotency-Key',
    );
  }
  return value;
}

/** What makes two requests "the same": the problem after validation and defaults, field order aside. */
export function problemFingerprint(problem: FixProblem): string {
  const canonical = JSON.stringify(problem, Object.keys(problem).sort());
  return createHash('sha256').update(canonical).digest('hex');
}
