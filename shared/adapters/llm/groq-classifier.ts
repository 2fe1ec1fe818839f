import Groq, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'groq-sdk';
import type { ProviderSettings } from '../../config/llm-config.js';
import { chatText, chatUsage, mapStainlessError } from './chat-completion.js';
import type { RenderedPrompt } from './fix-generator.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { type CategoryOutput, categorySchema, parseModelJson, validateOutput } from './model-output.js';
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
      let completion: Groq.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model: settings.model,
            messages: [
              { role: 'system', content: prompt.system },
              { role: 'user', content: prompt.user },
            ],
            response_format: { type: 'json_object' },
            temperature: 0,
            max_tokens: 300,
          },
          { signal, maxRetries: 0 },
        );
      } catch (error) {
        throw mapStainlessError(error, { APIError, APIConnectionError, APIConnectionTimeoutError });
      }
      const usage = chatUsage(completion);
      try {
        return { value: validateOutput(categorySchema, parseModelJson(chatText(completion))), usage };
      } catch (error) {
        throw error instanceof InvalidOutputError ? error.withUsage(usage) : error;
      }
    },
  };
}
