import { InvalidOutputError } from './invalid-output-error.js';
import { ProviderConnectionError } from './provider-connection-error.js';
import { ProviderHttpError } from './provider-http-error.js';
import { parseRetryAfter } from './retry-after.js';
import type { TokenUsage } from './token-usage.js';

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
