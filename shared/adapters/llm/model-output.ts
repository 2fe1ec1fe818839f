import { z } from 'zod';
import { stripFences } from './fences.js';
import { InvalidOutputError } from './invalid-output-error.js';

const MAX_CODE_CHARS = 200_000;

const clipped = (max: number) => z.string().transform((value) => value.trim().slice(0, max));

/** One proposed program as the model writes it. */
export const modelCandidateSchema = z.object({
  // Cosmetic fields are lenient: a missing title is no reason to throw away a working program.
  title: clipped(200).default(''),
  code: z
    .string()
    .max(MAX_CODE_CHARS)
    .refine((code) => code.trim() !== '', 'code is empty'),
  rationale: clipped(2_000).default(''),
});

/** The generator's answer: a reproduction (or null) and candidate programs. */
export const generatedFixSchema = z.object({
  reproduction: z.string().max(MAX_CODE_CHARS).nullable().default(null),
  candidates: z.array(modelCandidateSchema).min(1).max(6),
});

export type GeneratedFix = z.output<typeof generatedFixSchema>;

export const PROBLEM_KINDS = ['syntax', 'runtime', 'logic', 'import', 'environment'] as const;

/** The categorizer's answer. */
export const categorySchema = z.object({
  kind: z.enum(PROBLEM_KINDS),
  summary: clipped(200).pipe(z.string().min(1)),
});

export type CategoryOutput = z.output<typeof categorySchema>;

/**
 * The same shape as `generatedFixSchema`, as the JSON Schema Gemini constrains decoding with
 * (`responseJsonSchema` accepts `type: [..., "null"]`; the older `responseSchema` does not).
 */
export const generatedFixJsonSchema = {
  type: 'object',
  properties: {
    reproduction: {
      type: ['string', 'null'],
      description: 'Full contents of reproduce_issue.py, or null when a test was supplied.',
    },
    candidates: {
      type: 'array',
      minItems: 3,
      maxItems: 3,
      items: {
        type: 'object',
        properties: {
          title: { type: 'string', description: 'A few words naming the fix.' },
          code: { type: 'string', description: 'The complete replacement program, no markdown fences.' },
          rationale: { type: 'string', description: 'One or two sentences: why this fixes the bug.' },
        },
        required: ['title', 'code', 'rationale'],
      },
    },
  },
  required: ['reproduction', 'candidates'],
} as const;

/** What the fix generator answers, for any provider. */
export const generatedFixAnswer = { schema: generatedFixSchema, jsonSchema: generatedFixJsonSchema };

/** Parses a model's text answer as JSON, tolerating a markdown fence around it. */
export function parseModelJson(text: string | undefined | null): unknown {
  if (text === undefined || text === null || text.trim() === '') {
    throw new InvalidOutputError('empty', 'returned an empty answer');
  }
  try {
    return JSON.parse(stripFences(text));
  } catch (error) {
    // The parser's message quotes the input; the input is model output, not worth storing.
    throw new InvalidOutputError('malformed-json', 'returned malformed JSON', undefined, { cause: error });
  }
}

/** Validates parsed JSON; the error names the first offending field, never its content. */
export function validateOutput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  const message = first ? `${where}${first.message}` : 'invalid';
  throw new InvalidOutputError(
    'schema',
    `returned JSON that does not match the expected shape (${message})`,
    undefined,
    { cause: parsed.error },
  );
}
