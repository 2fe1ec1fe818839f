import type { z } from 'zod';
import type { RenderedPrompt } from './fix-generator.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { parseModelJson, validateOutput } from './model-output.js';
import { ProviderConnectionError } from './provider-connection-error.js';
import { ProviderHttpError } from './provider-http-error.js';
import { parseRetryAfter } from './retry-after.js';
import type { AttemptResult, TokenUsage } from './token-usage.js';

/** The part of an OpenAI-style chat completion we read; groq-sdk and openai both return it. */
export interface ChatCompletionLike {
  choices: readonly { finish_reason?: string | null; message?: { content?: string | null } | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export function chatUsage(completion: ChatCompletionLike): TokenUsage | undefined {
  if (!completion.usage) return undefined;
  return { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens };
}

/** The answer's text; a cut-off answer is reported as such rather than as malformed JSON. */
export function chatText(completion: ChatCompletionLike): string | undefined {
  const choice = completion.choices[0];
  if (choice?.finish_reason === 'length') {
    throw new InvalidOutputError(
      'truncated',
      'stopped at its output token limit before finishing the answer',
    );
  }
  return choice?.message?.content ?? undefined;
}

/** The error classes a Stainless-generated SDK (openai, groq-sdk) exports. */
export interface StainlessErrorClasses {
  APIError: abstract new (...args: never[]) => Error & { status?: number; headers?: Headers };
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

/** Maps an SDK error onto ours, so the retry helper does not need to know the SDK. */
export function mapStainlessError(error: unknown, classes: StainlessErrorClasses): unknown {
  if (error instanceof classes.APIConnectionTimeoutError) return error;
  if (error instanceof classes.APIConnectionError) {
    return new ProviderConnectionError(error.message, { cause: error });
  }
  if (error instanceof classes.APIError && typeof error.status === 'number') {
    const retryAfterMs = error.headers
      ? parseRetryAfter({
          retryAfter: error.headers.get('retry-after'),
          retryAfterMs: error.headers.get('retry-after-ms'),
        })
      : undefined;
    return new ProviderHttpError(error.status, error.message, retryAfterMs, { cause: error });
  }
  return error;
}

/**
 * One JSON-mode chat completion through a Stainless SDK (openai, groq-sdk): SDK errors become ours,
 * and the answer is parsed and validated against `schema`, its token usage kept even when invalid.
 */
export async function completeJson<S extends z.ZodType>(
  send: () => Promise<ChatCompletionLike>,
  classes: StainlessErrorClasses,
  schema: S,
): Promise<AttemptResult<z.output<S>>> {
  let completion: ChatCompletionLike;
  try {
    completion = await send();
  } catch (error) {
    throw mapStainlessError(error, classes);
  }
  const usage = chatUsage(completion);
  try {
    return { value: validateOutput(schema, parseModelJson(chatText(completion))), usage };
  } catch (error) {
    throw error instanceof InvalidOutputError ? error.withUsage(usage) : error;
  }
}

/** The request body both OpenAI-compatible providers get: system + user turns, JSON mode. */
export function jsonChatRequest(
  model: string,
  prompt: RenderedPrompt,
  options: { temperature: number; maxTokens: number },
) {
  return {
    model,
    messages: [
      { role: 'system' as const, content: prompt.system },
      { role: 'user' as const, content: prompt.user },
    ],
    response_format: { type: 'json_object' as const },
    temperature: options.temperature,
    max_tokens: options.maxTokens,
  };
}
