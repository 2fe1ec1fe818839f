import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ProviderSettings, RetryPolicy } from '../../config/llm-config.js';
import { completeJson, jsonChatRequest } from './chat-completion.js';
import type { JsonGenerator } from './fix-generator.js';

/** Our own timer ends an attempt; the SDK's is a backstop that must never fire first. */
const SDK_TIMEOUT_MARGIN_MS = 5_000;

/** DeepSeek speaks OpenAI chat completions; JSON mode keeps the answer parseable. */
export function createDeepseekGenerator(
  settings: ProviderSettings & { apiKey: string },
  policy: RetryPolicy,
  fetchFn: typeof fetch,
): JsonGenerator {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    // Retries are ours (callWithRetries) so that the session budget and the notes see every attempt.
    maxRetries: 0,
    timeout: policy.callTimeoutMs + SDK_TIMEOUT_MARGIN_MS,
    fetch: fetchFn,
    // Explicit nulls: the SDK would otherwise read these from OPENAI_* variables and send them along.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
  });
  return {
    name: 'deepseek',
    model: settings.model,
    async generate(prompt, answer, signal) {
      return completeJson(
        () =>
          client.chat.completions.create(
            // deepseek-chat's output ceiling by default; three full programs need the room.
            jsonChatRequest(settings.model, prompt, {
              temperature: 0.4,
              maxTokens: answer.maxTokens ?? 8_192,
            }),
            { signal, maxRetries: 0 },
          ),
        { APIError, APIConnectionError, APIConnectionTimeoutError },
        answer.schema,
      );
    },
  };
}
