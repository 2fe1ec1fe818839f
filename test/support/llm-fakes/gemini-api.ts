import type { Scripted } from './fake-provider-server.js';

/** `POST /v1beta/models/{model}:generateContent`, the route @google/genai calls for the Gemini API. */
export const GEMINI_ROUTE = { method: 'POST', path: /^\/v1beta\/models\/[^/:]+:generateContent$/ };

export interface FakeUsage {
  input: number;
  output: number;
  thoughts?: number;
}

/** A 200 whose first candidate's text is `text` (pass a string to send non-JSON model output). */
export function geminiAnswer(payload: unknown, usage: FakeUsage = { input: 120, output: 340 }): Scripted {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    status: 200,
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: usage.input,
        candidatesTokenCount: usage.output,
        ...(usage.thoughts !== undefined ? { thoughtsTokenCount: usage.thoughts } : {}),
        totalTokenCount: usage.input + usage.output + (usage.thoughts ?? 0),
      },
      modelVersion: 'gemini-test',
    },
  };
}

/** A Google API error body (`google.rpc.Status`). */
export function geminiError(status: number, message: string, headers?: Record<string, string>): Scripted {
  const names: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
  };
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { error: { code: status, message, status: names[status] ?? 'UNKNOWN' } },
  };
}
