import OpenAI from 'openai';
import type { ProviderCall } from '../../domain/types.js';
import type {
  GenerateInput,
  ProgramProposal,
  ProposedPrograms,
  RefineInput,
  TransformTextSource,
} from '../../kinds/transform/transform-text-source.js';
import {
  GENERATE_TRANSFORM_SYSTEM_PROMPT,
  generateTransformMessage,
  REFINE_TRANSFORM_SYSTEM_PROMPT,
  refineTransformMessage,
} from '../../prompts/transform.v1.js';
import { stripFences } from './fences.js';

/** A provider that speaks OpenAI's chat completions with `stream: true` (Groq, DeepSeek). */
export interface StreamingProvider {
  name: string;
  model: string;
  client: OpenAI;
}

export function streamingProvider(
  name: string,
  settings: { apiKey: string; model: string; baseUrl: string },
  timeoutMs: number,
): StreamingProvider {
  return {
    name,
    model: settings.model,
    client: new OpenAI({
      apiKey: settings.apiKey,
      // Groq serves the OpenAI API under /openai/v1; DeepSeek at its root.
      baseURL: name === 'groq' ? `${settings.baseUrl.replace(/\/+$/, '')}/openai/v1` : settings.baseUrl,
      maxRetries: 0,
      timeout: timeoutMs,
      // Explicit nulls: the SDK would otherwise read these from OPENAI_* variables and send them along.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
    }),
  };
}

/**
 * The transform kind's text from the models: each provider in turn, streamed as it writes. A
 * provider that fails before its first chunk gives way to the next, and the last resort is the
 * offline compiler; one that fails mid-answer ends the stream with an error (what was shown cannot
 * be taken back). A program's markdown fence is cut off as it streams.
 */
export class ModelTransformSource implements TransformTextSource {
  readonly name: string;

  constructor(
    private readonly providers: readonly StreamingProvider[],
    private readonly fallback: TransformTextSource,
  ) {
    this.name = providers.map((provider) => provider.name).join(', ') || fallback.name;
  }

  refine(input: RefineInput, signal?: AbortSignal): AsyncIterable<string> {
    return this.stream(
      REFINE_TRANSFORM_SYSTEM_PROMPT,
      refineTransformMessage(input, input.instruction),
      () => this.fallback.refine(input, signal),
      false,
      signal,
    );
  }

  generate(input: GenerateInput, signal?: AbortSignal): AsyncIterable<string> {
    return this.stream(
      GENERATE_TRANSFORM_SYSTEM_PROMPT,
      generateTransformMessage(input, input.spec),
      () => this.fallback.generate(input, signal),
      true,
      signal,
    );
  }

  async propose(input: GenerateInput & { count: number }, signal?: AbortSignal): Promise<ProposedPrograms> {
    const calls: ProviderCall[] = [];
    for (const provider of this.providers) {
      const programs: ProgramProposal[] = [];
      try {
        for (let variant = 1; variant <= input.count; variant += 1) {
          const started = Date.now();
          const completion = await provider.client.chat.completions.create(
            {
              model: provider.model,
              temperature: 0.2 + 0.2 * variant,
              messages: [
                { role: 'system', content: GENERATE_TRANSFORM_SYSTEM_PROMPT },
                { role: 'user', content: generateTransformMessage(input, input.spec, variant) },
              ],
            },
            { ...(signal ? { signal } : {}) },
          );
          calls.push({
            provider: provider.name,
            model: provider.model,
            purpose: 'generate',
            latencyMs: Date.now() - started,
            ok: true,
            ...(completion.usage
              ? {
                  inputTokens: completion.usage.prompt_tokens,
                  outputTokens: completion.usage.completion_tokens,
                }
              : {}),
          });
          const code = stripFences(completion.choices[0]?.message?.content ?? '');
          if (code.trim() !== '') programs.push({ source: provider.name, code });
        }
      } catch (error) {
        calls.push({
          provider: provider.name,
          model: provider.model,
          purpose: 'generate',
          latencyMs: 0,
          ok: false,
          error: error instanceof Error ? error.name : 'error',
        });
      }
      if (programs.length > 0) return { programs, notes: [], calls };
    }
    const offline = await this.fallback.propose(input, signal);
    return {
      ...offline,
      notes: [
        ...offline.notes,
        ...(this.providers.length > 0 ? ['No model answered; the offline compiler wrote the programs.'] : []),
      ],
      calls: [...calls, ...offline.calls],
    };
  }

  private async *stream(
    system: string,
    user: string,
    fallback: () => AsyncIterable<string>,
    code: boolean,
    signal?: AbortSignal,
  ): AsyncIterable<string> {
    for (const provider of this.providers) {
      let started = false;
      try {
        const stream = await provider.client.chat.completions.create(
          {
            model: provider.model,
            stream: true,
            temperature: 0.2,
            messages: [
              { role: 'system', content: system },
              { role: 'user', content: user },
            ],
          },
          { ...(signal ? { signal } : {}) },
        );
        const pieces = code ? unfenced(texts(stream)) : texts(stream);
        for await (const piece of pieces) {
          started = true;
          yield piece;
        }
        if (started) return;
      } catch (error) {
        if (started) throw error;
      }
    }
    yield* fallback();
  }
}

async function* texts(
  stream: AsyncIterable<{ choices: ReadonlyArray<{ delta?: { content?: string | null } }> }>,
): AsyncIterable<string> {
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) yield text;
  }
}

/** Streams code without a markdown fence around it: the opening line is held back until it is known, the closing fence dropped. */
async function* unfenced(pieces: AsyncIterable<string>): AsyncIterable<string> {
  let head = '';
  let opened: boolean | undefined;
  let tail = '';
  for await (const piece of pieces) {
    if (opened === undefined) {
      head += piece;
      const newline = head.indexOf('\n');
      if (newline < 0 && head.length < 200) continue;
      opened = /^\s*```[\w+.-]*\s*$/.test(newline < 0 ? head : head.slice(0, newline));
      const rest = opened ? head.slice(newline + 1) : head;
      tail = rest;
    } else {
      tail += piece;
    }
    // Hold back what could be the start of a closing fence.
    const hold = opened ? tail.lastIndexOf('\n```') : -1;
    const cut = hold >= 0 ? hold : Math.max(0, tail.length - 4);
    const out = tail.slice(0, cut);
    tail = tail.slice(cut);
    if (out) yield out;
  }
  if (opened === undefined) tail = head;
  const rest = opened ? tail.replace(/\n?```\s*$/, '\n') : tail;
  if (rest) yield rest;
}
