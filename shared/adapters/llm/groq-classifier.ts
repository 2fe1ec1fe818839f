import Groq, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'groq-sdk';
import type { ProviderSettings } from '../../config/llm-config.js';
import { completeJson, jsonChatRequest } from './chat-completion.js';
import type { RenderedPrompt } from './fix-generator.js';
import { type CategoryOutput, categorySchema } from './model-output.js';
import type { AttemptResult } from './token-usage.js';

export interface ProblemClassifier {
  readonly name: string;
  readonly model: string;
  classify(prompt: RenderedPrompt, signal: AbortSignal): Promise<AttemptResult<CategoryOutput>>;
}

const SDK_TIMEOUT_MARGIN_MS = 5_000;

/** Groq (groq-sdk, `/openai/v1/chat/completions` under the base URL) in JSON mode. */
export function createGroqClassifier(
  settings: ProviderSettings & { apiKey: string },
  timeoutMs: number,
  fetchFn: typeof fetch,
): ProblemClassifier {
  const client = new Groq({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    // Retries are ours (callWithRetries), bounded by the session budget.
    maxRetries: 0,
    timeout: timeoutMs + SDK_TIMEOUT_MARGIN_MS,
    fetch: fetchFn,
  });
  return {
    name: 'groq',
    model: settings.model,
    async classify(prompt, signal) {
      return completeJson(
        () =>
          client.chat.completions.create(
            jsonChatRequest(settings.model, prompt, { temperature: 0, maxTokens: 300 }),
            { signal, maxRetries: 0 },
          ),
        { APIError, APIConnectionError, APIConnectionTimeoutError },
        categorySchema,
      );
    },
  };
}
