import type { z } from 'zod';
import type { LlmConfig } from '../../config/llm-config.js';
import type { ProviderCall, SourceProgress } from '../../ports/candidate-source.js';
import { createDeepseekGenerator } from './deepseek-generator.js';
import type { AnswerSpec, JsonGenerator, RenderedPrompt } from './fix-generator.js';
import { createGeminiGenerator } from './gemini-generator.js';
import { ProviderFailedError } from './provider-failed-error.js';
import { callWithRetries, seconds } from './resilient-call.js';
import type { RunContext } from './run-context.js';

/** A provider in the order they are asked; one without a key is named but never called. */
export interface ModelLink {
  name: string;
  generator?: JsonGenerator;
}

/** Gemini first, DeepSeek when Gemini fails: one set of SDK clients per process, for every kind. */
export function createGeneratorLinks(config: LlmConfig, fetchFn: typeof fetch): ModelLink[] {
  return [
    {
      name: 'gemini',
      generator: config.gemini.apiKey
        ? createGeminiGenerator({ ...config.gemini, apiKey: config.gemini.apiKey }, fetchFn)
        : undefined,
    },
    {
      name: 'deepseek',
      generator: config.deepseek.apiKey
        ? createDeepseekGenerator(
            { ...config.deepseek, apiKey: config.deepseek.apiKey },
            config.retry,
            fetchFn,
          )
        : undefined,
    },
  ];
}

export interface AskRequest<S extends z.ZodType, T> {
  prompt: RenderedPrompt;
  answer: AnswerSpec<S>;
  purpose: ProviderCall['purpose'];
  /** What the progress line says is being asked for, e.g. "three candidate sites". */
  asking: string;
  /** Turns a valid answer into what the caller keeps; throws InvalidOutputError to let the next link try. */
  accept: (value: z.output<S>, provider: string) => T;
  progress: (event: SourceProgress) => Promise<void>;
}

export type AskOutcome<T> =
  | { served: true; provider: string; value: T; passedOver: string[] }
  | { served: false; passedOver: string[] };

/**
 * Asks each link in turn: a link without a key is skipped, none is tried once the budget is spent,
 * and one that fails (HTTP error after retries, timeout, unusable answer) is logged once and passed
 * over. Every attempt lands in `ctx.calls`; the outcome says who served and why others did not.
 */
export async function askInTurn<S extends z.ZodType, T>(
  links: readonly ModelLink[],
  ctx: RunContext,
  request: AskRequest<S, T>,
  budgetMs: number,
): Promise<AskOutcome<T>> {
  const passedOver: string[] = [];
  for (const link of links) {
    const generator = link.generator;
    if (!generator) {
      passedOver.push(`${link.name} skipped: no API key`);
      continue;
    }
    if (ctx.budget.exhausted()) {
      passedOver.push(`${link.name} skipped: session time budget (${seconds(budgetMs)}) used up`);
      continue;
    }
    try {
      const value = await callWithRetries({
        provider: generator.name,
        model: generator.model,
        purpose: request.purpose,
        policy: ctx.policy,
        budget: ctx.budget,
        calls: ctx.calls,
        scrub: ctx.scrub,
        run: async (signal) => {
          const result = await generator.generate(request.prompt, request.answer, signal);
          return { value: request.accept(result.value, generator.name), usage: result.usage };
        },
        onAttempt: (attempt) =>
          request.progress({
            stage: 'generating',
            provider: generator.name,
            attempt,
            message: `asking ${generator.name} for ${request.asking}`,
          }),
        onRetry: (attempt, delayMs, failure) =>
          request.progress({
            stage: 'retrying',
            provider: generator.name,
            attempt,
            message: `${generator.name}: ${failure.detail}; retrying in ${seconds(delayMs)}`,
          }),
      });
      return { served: true, provider: generator.name, value, passedOver };
    } catch (error) {
      if (!(error instanceof ProviderFailedError)) throw error;
      ctx.logger.warn('candidate provider failed', {
        provider: error.provider,
        purpose: request.purpose,
        reason: error.summary,
        attempts: error.attempts,
      });
      passedOver.push(`${error.provider} failed: ${error.summary}`);
    }
  }
  return { served: false, passedOver };
}
