import { z } from 'zod';

const MAX_FILE_CHARS = 400_000;
const clipped = (max: number) => z.string().transform((value) => value.trim().slice(0, max));

/** One candidate site as the model writes it. */
export const modelSiteSchema = z.object({
  title: clipped(200).default(''),
  rationale: clipped(2_000).default(''),
  files: z
    .array(
      z.object({
        path: z.string().min(1).max(200),
        content: z.string().max(MAX_FILE_CHARS).default(''),
        // A revision removes a published file by naming it with delete: true.
        delete: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(60),
  readme: z
    .object({
      summary: clipped(4_000).default(''),
      setup: clipped(4_000).default(''),
      usage: clipped(4_000).default(''),
      code: clipped(8_000).default(''),
    })
    .default({ summary: '', setup: '', usage: '', code: '' }),
});

export const generatedSitesSchema = z.object({ candidates: z.array(modelSiteSchema).min(1).max(6) });

export type ModelSite = z.output<typeof modelSiteSchema>;

export const generatedSitesJsonSchema = {
  type: 'object',
  properties: {
    candidates: {
      type: 'array',
      minItems: 3,
      maxItems: 3,
      items: {
        type: 'object',
        properties: {
          title: { type: 'string' },
          rationale: { type: 'string' },
          files: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                path: { type: 'string' },
                content: { type: 'string' },
                delete: { type: 'boolean', description: 'true to remove a published file (revisions only)' },
              },
              required: ['path', 'content'],
            },
          },
          readme: {
            type: 'object',
            properties: {
              summary: { type: 'string' },
              setup: { type: 'string' },
              usage: { type: 'string' },
              code: { type: 'string' },
            },
            required: ['summary', 'setup', 'usage', 'code'],
          },
        },
        required: ['title', 'rationale', 'files', 'readme'],
      },
    },
  },
  required: ['candidates'],
} as const;

export const generatedSitesAnswer = {
  schema: generatedSitesSchema,
  jsonSchema: generatedSitesJsonSchema,
  maxTokens: 8_192,
};

// No length cap here: one over-long expression must not cost every other check its compilation.
// The harness refuses an expression too long to hand to the sandbox, that check alone, saying why.
export const compiledChecksSchema = z.object({
  checks: z.array(z.object({ text: z.string(), js: z.string().nullable() })).min(1),
});

export const compiledChecksAnswer = {
  schema: compiledChecksSchema,
  jsonSchema: {
    type: 'object',
    properties: {
      checks: {
        type: 'array',
        items: {
          type: 'object',
          properties: { text: { type: 'string' }, js: { type: ['string', 'null'] } },
          required: ['text', 'js'],
        },
      },
    },
    required: ['checks'],
  },
};
