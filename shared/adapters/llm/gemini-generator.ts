import { ApiError, type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import type { ProviderSettings } from '../../config/llm-config.js';
import type { JsonGenerator } from './fix-generator.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { parseModelJson, validateOutput } from './model-output.js';
import { ProviderConnectionError } from './provider-connection-error.js';
import { ProviderHttpError } from './provider-http-error.js';
import { parseRetryAfter, parseRetryDelayFromBody } from './retry-after.js';
import type { TokenUsage } from './token-usage.js';

/**
 * Gemini through @google/genai. The SDK retries only when `httpOptions.retryOptions` is set; it is
 * left unset so that each call is one attempt and callWithRetries owns the policy. The attempt's
 * timeout is our AbortSignal (`config.abortSignal`), not the SDK's `timeout`.
 */
export function createGeminiGenerator(
  settings: ProviderSettings & { apiKey: string },
  fetchFn: typeof fetch,
): JsonGenerator {
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    // Explicit: the SDK would otherwise switch to Vertex AI when GOOGLE_GENAI_USE_VERTEXAI is set.
    vertexai: false,
    httpOptions: { baseUrl: settings.baseUrl, fetch: fetchFn },
  });
  return {
    name: 'gemini',
    model: settings.model,
    async generate(prompt, answer, signal) {
      // The SDK's ApiError drops the response headers; this per-call fetch keeps `retry-after`.
      let retryAfter: string | null = null;
      const observingFetch: typeof fetch = async (input, init) => {
        const response = await fetchFn(input, init);
        if (!response.ok) retryAfter = response.headers.get('retry-after');
        return response;
      };
      let response: GenerateContentResponse;
      try {
        response = await client.models.generateContent({
          model: settings.model,
          contents: [{ role: 'user', parts: [{ text: prompt.user }] }],
          config: {
            systemInstruction: prompt.system,
            responseMimeType: 'application/json',
            responseJsonSchema: answer.jsonSchema,
            temperature: 0.4,
            abortSignal: signal,
            httpOptions: { fetch: observingFetch },
          },
        });
      } catch (error) {
        throw mapGeminiError(error, retryAfter);
      }
      const usage = geminiUsage(response);
      try {
        return { value: validateOutput(answer.schema, parseModelJson(answerText(response))), usage };
      } catch (error) {
        throw error instanceof InvalidOutputError ? error.withUsage(usage) : error;
      }
    },
  };
}

function geminiUsage(response: GenerateContentResponse): TokenUsage | undefined {
  const meta = response.usageMetadata;
  if (!meta) return undefined;
  // Thinking tokens are billed as output.
  const output =
    meta.candidatesTokenCount === undefined && meta.thoughtsTokenCount === undefined
      ? undefined
      : (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return { inputTokens: meta.promptTokenCount, outputTokens: output };
}

/** The first candidate's text parts, thoughts excluded; a blocked or cut-off answer says so. */
function answerText(response: GenerateContentResponse): string | undefined {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked) throw new InvalidOutputError('empty', `refused the prompt (${blocked})`);
  const candidate = response.candidates?.[0];
  const reason = candidate?.finishReason;
  if (reason === 'MAX_TOKENS') {
    throw new InvalidOutputError(
      'truncated',
      'stopped at its output token limit before finishing the answer',
    );
  }
  const text = (candidate?.content?.parts ?? [])
    .filter((part) => typeof part.text === 'string' && part.thought !== true)
    .map((part) => part.text)
    .join('');
  if (text.trim() === '' && reason && reason !== 'STOP') {
    throw new InvalidOutputError('empty', `returned no answer (finish reason ${reason})`);
  }
  return text;
}

function mapGeminiError(error: unknown, retryAfter: string | null): unknown {
  if (error instanceof ApiError) {
    const retryAfterMs = parseRetryAfter({ retryAfter }) ?? parseRetryDelayFromBody(error.message);
    return new ProviderHttpError(error.status, readableMessage(error.message), retryAfterMs, {
      cause: error,
    });
  }
  // Node's fetch reports refused/reset connections as a TypeError with a system-error cause.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return new ProviderConnectionError(typeof code === 'string' ? `fetch failed (${code})` : 'fetch failed', {
      cause: error,
    });
  }
  return error;
}

/** ApiError's message is the JSON error body; its `error.message` is the readable part. */
function readableMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // Not JSON: the body text itself is the message.
  }
  return body;
}
