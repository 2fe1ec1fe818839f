import type { Scripted } from './fake-provider-server.js';

/** groq-sdk appends `/openai/v1/chat/completions` to its base URL. */
export const GROQ_ROUTE = { method: 'POST', path: /^\/openai\/v1\/chat\/completions$/ };
/** openai appends `/chat/completions` to its base URL; DeepSeek serves it at its root. */
export const DEEPSEEK_ROUTE = { method: 'POST', path: /^\/chat\/completions$/ };

/** An OpenAI-style chat completion whose message content is `content` (JSON-encoded unless a string). */
export function chatAnswer(
  content: unknown,
  usage: { input: number; output: number } = { input: 90, output: 210 },
  finishReason = 'stop',
): Scripted {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'fake-model',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: typeof content === 'string' ? content : JSON.stringify(content),
          },
          finish_reason: finishReason,
        },
      ],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    },
  };
}

export function chatError(status: number, message: string, headers?: Record<string, string>): Scripted {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } },
  };
}
