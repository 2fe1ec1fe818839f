import { z } from 'zod';
import { parseRequestBody } from '../../domain/request-validation.js';

/**
 * What a client asks to have run: a dataset and an instruction, a specification or code — or code
 * with the specification it implements, which then gives the checks its output must pass.
 */
export interface TransformProblem {
  datasetId: string;
  instruction?: string;
  spec?: string;
  code?: string;
}

export const MAX_INSTRUCTION_CHARS = 2_000;
export const MAX_SPEC_CHARS = 20_000;
export const MAX_CODE_CHARS = 100_000;

export const datasetIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'datasetId is not a dataset id');

const transformRequestSchema = z
  .object({
    datasetId: datasetIdSchema,
    instruction: z.string().trim().min(1, 'instruction is empty').max(MAX_INSTRUCTION_CHARS).optional(),
    spec: z.string().trim().min(1, 'spec is empty').max(MAX_SPEC_CHARS).optional(),
    code: z.string().min(1, 'code is empty').max(MAX_CODE_CHARS).optional(),
  })
  .strict()
  .superRefine((body, context) => {
    const given = (['instruction', 'spec', 'code'] as const).filter((field) => body[field] !== undefined);
    const codeWithSpec = given.length === 2 && given[0] === 'spec' && given[1] === 'code';
    if (given.length !== 1 && !codeWithSpec) {
      context.addIssue({
        code: 'custom',
        path: [given[1] ?? 'instruction'],
        message:
          given.length === 0
            ? 'give one of instruction, spec or code'
            : `give one of instruction, spec or code, or spec with code (got ${given.join(' and ')})`,
      });
    }
  });

export function parseTransformRequest(body: unknown): TransformProblem {
  return parseRequestBody(transformRequestSchema, body);
}
