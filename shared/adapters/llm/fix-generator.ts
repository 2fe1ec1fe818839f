import type { z } from 'zod';
import type { AttemptResult } from './token-usage.js';

/** A system instruction and a user turn, rendered from a versioned prompt. */
export interface RenderedPrompt {
  system: string;
  user: string;
}

/**
 * The shape an answer must have: the schema it is validated with, and the same shape as the JSON
 * Schema a provider constrains its decoding with (Gemini's `responseJsonSchema`).
 */
export interface AnswerSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  jsonSchema: object;
  /** The output ceiling this answer needs (full programs or sites need room). @default 8192 */
  maxTokens?: number;
}

/** One model provider that answers a prompt in JSON of a given shape. One call is one attempt; retries are not its job. */
export interface JsonGenerator {
  readonly name: string;
  readonly model: string;
  generate<S extends z.ZodType>(
    prompt: RenderedPrompt,
    answer: AnswerSpec<S>,
    signal: AbortSignal,
  ): Promise<AttemptResult<z.output<S>>>;
}
