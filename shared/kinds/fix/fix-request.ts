import { z } from 'zod';
import { parseJsonText, parseRequestBody } from '../../domain/request-validation.js';
import type { FixProblem } from '../../domain/types.js';

export const MAX_CODE_BYTES = 1024 * 1024;
export const MAX_ERROR_BYTES = 64 * 1024;
export const HARNESS_FILENAME = 'reproduce_issue.py';

const sourceText = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_CODE_BYTES, `${what} exceeds 1 MiB`);

export const fixRequestSchema = z.object({
  code: sourceText('code'),
  filename: z
    .string({ error: 'filename must be a string' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}\.py$/, 'filename must be a plain Python file name like program.py')
    .refine((name) => name !== HARNESS_FILENAME, `filename must not be ${HARNESS_FILENAME}`)
    .default('program.py'),
  error: z
    .string({ error: 'error must be a string' })
    .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_ERROR_BYTES, 'error exceeds 64 KiB')
    .optional(),
  test: sourceText('test').optional(),
  candidates: z
    .array(sourceText('candidate'), { error: 'candidates must be an array of strings' })
    .min(1, 'candidates must hold 1 to 8 programs')
    .max(8, 'candidates must hold 1 to 8 programs')
    .optional(),
  maxRounds: z
    .number({ error: 'maxRounds must be a number' })
    .int('maxRounds must be a whole number')
    .min(1, 'maxRounds must be 1 to 3')
    .max(3, 'maxRounds must be 1 to 3')
    .default(2),
});

/** Validates a client's fix request; an InvalidRequestError names the first offending field. */
export function parseFixRequest(body: unknown): FixProblem {
  const { code, filename, error, test, candidates, maxRounds } = parseRequestBody(fixRequestSchema, body);
  return {
    code,
    filename,
    maxRounds,
    ...(error === undefined ? {} : { error }),
    ...(test === undefined ? {} : { test }),
    ...(candidates === undefined ? {} : { candidates }),
  };
}

/** Parses a JSON text body into a fix problem, a syntax error being an invalid `body`. */
export function parseFixRequestText(text: string | undefined | null): FixProblem {
  return parseFixRequest(parseJsonText(text));
}
