import type { Logger } from '@aws-lambda-powertools/logger';
import type { LlmConfig } from '../../config/llm-config.js';
import type { CandidateSource, GeneratedCandidates, GenerateRequest } from '../../ports/candidate-source.js';
import { GENERATE_FIX_SYSTEM_PROMPT, renderGenerateFixPrompt } from '../../prompts/generate-fix.v1.js';
import { toProposals, toReproduction } from './candidates.js';
import { categorize } from './categorizer.js';
import { createDeepseekGenerator } from './deepseek-generator.js';
import type { FixGenerator, RenderedPrompt } from './fix-generator.js';
import { createGeminiGenerator } from './gemini-generator.js';
import { createGroqClassifier } from './groq-classifier.js';
import { withHeaderAllowlist } from './header-allowlist.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { ProviderFailedError } from './provider-failed-error.js';
import { callWithRetries, seconds } from './resilient-call.js';
import type { RunContext } from './run-context.js';
import { createScrubber } from './scrub.js';
import { SessionBudget } from './session-budget.js';

export interface CandidateSourceChainDeps {
  /** The last link: answers without a network, whatever happened before. */
  offline: CandidateSource;
  logger: Logger;
  /** Used by every SDK client; defaults to the global fetch. */
  fetch?: typeof fetch;
}

interface Link {
  name: string;
  generator?: FixGenerator;
}

/**
 * The candidate source the controller uses:
 * 1. categorize (locally for parse errors or without a Groq key, else Groq);
 * 2. ask gemini, then deepseek, for a reproduction and three candidates; a provider without a key is
 *    skipped, one that fails (HTTP error after retries, timeout, unusable output) is logged once and
 *    passed over, and none is tried once the session budget is spent;
 * 3. fall back to the offline provider;
 * 4. say in the notes who served and why earlier links did not.
 * SDK clients are built here, once, not per request.
 */
export function createCandidateSourceChain(
  config: LlmConfig,
  deps: CandidateSourceChainDeps,
): CandidateSource {
  const fetchFn = withHeaderAllowlist(deps.fetch ?? globalThis.fetch);
  const scrub = createScrubber([config.gemini.apiKey, config.groq.apiKey, config.deepseek.apiKey]);
  const classifier = config.groq.apiKey
    ? createGroqClassifier(
        { ...config.groq, apiKey: config.groq.apiKey },
        config.categorizeTimeoutMs,
        fetchFn,
      )
    : undefined;
  const links: Link[] = [
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

  return {
    name: 'chain',
    async generate(request: GenerateRequest): Promise<GeneratedCandidates> {
      const ctx: RunContext = {
        budget: new SessionBudget(Math.max(0, config.sessionBudgetMs - (request.budgetSpentMs ?? 0))),
        policy: config.retry,
        calls: [],
        notes: [],
        progress: request.progress,
        scrub,
        logger: deps.logger,
      };
      const { problem } = request;
      // The problem does not change between rounds, so neither does its category.
      const category =
        request.category ??
        (await categorize(problem, { classifier, timeoutMs: config.categorizeTimeoutMs }, ctx));
      const prompt: RenderedPrompt = {
        system: GENERATE_FIX_SYSTEM_PROMPT,
        user: renderGenerateFixPrompt({
          filename: problem.filename,
          code: problem.code,
          error: problem.error,
          test: problem.test,
          category,
          round: request.round,
          feedback: request.feedback,
        }),
      };

      const passedOver: string[] = [];
      for (const link of links) {
        if (!link.generator) {
          passedOver.push(`${link.name} skipped: no API key`);
          continue;
        }
        if (ctx.budget.exhausted()) {
          passedOver.push(
            `${link.name} skipped: session time budget (${seconds(config.sessionBudgetMs)}) used up`,
          );
          continue;
        }
        try {
          const served = await tryGenerator(link.generator, prompt, request, ctx);
          ctx.notes.unshift([...passedOver, `served by ${link.name}`].join('; '));
          if (served.duplicates > 0) {
            ctx.notes.push(
              `${served.duplicates} ${link.name} candidate(s) identical to the original or to another were dropped`,
            );
          }
          return {
            reproduction: served.reproduction,
            candidates: served.candidates,
            notes: ctx.notes,
            calls: ctx.calls,
            category,
          };
        } catch (error) {
          if (!(error instanceof ProviderFailedError)) throw error;
          deps.logger.warn('candidate provider failed', {
            provider: error.provider,
            reason: error.summary,
            attempts: error.attempts,
          });
          passedOver.push(`${error.provider} failed: ${error.summary}`);
        }
      }

      await request.progress({
        stage: 'generating',
        provider: deps.offline.name,
        message: 'using the offline provider',
      });
      const offline = await deps.offline.generate(request);
      return {
        reproduction: problem.test ? null : offline.reproduction,
        candidates: offline.candidates.map((c) => ({ ...c, source: c.source || deps.offline.name })),
        notes: [[...passedOver, `served by ${deps.offline.name}`].join('; '), ...ctx.notes, ...offline.notes],
        calls: [...ctx.calls, ...offline.calls],
        category,
      };
    },
  };
}

async function tryGenerator(
  generator: FixGenerator,
  prompt: RenderedPrompt,
  request: GenerateRequest,
  ctx: RunContext,
): Promise<{
  reproduction: string | null;
  candidates: GeneratedCandidates['candidates'];
  duplicates: number;
}> {
  const { problem } = request;
  return callWithRetries({
    provider: generator.name,
    model: generator.model,
    purpose: 'generate',
    policy: ctx.policy,
    budget: ctx.budget,
    calls: ctx.calls,
    scrub: ctx.scrub,
    run: async (signal) => {
      const result = await generator.generate(prompt, signal);
      const { proposals, duplicates } = toProposals(result.value.candidates, problem.code, generator.name);
      // Nothing new to run is as useless as no answer: let the next provider try.
      if (proposals.length === 0) {
        throw new InvalidOutputError(
          'no-new-candidates',
          'returned only candidates identical to the original program',
          result.usage,
        );
      }
      return {
        value: {
          reproduction: problem.test ? null : toReproduction(result.value.reproduction),
          candidates: proposals,
          duplicates,
        },
        usage: result.usage,
      };
    },
    onAttempt: (attempt) =>
      request.progress({
        stage: 'generating',
        provider: generator.name,
        attempt,
        message: `asking ${generator.name} for ${problem.test ? '' : 'a reproduction and '}three candidates`,
      }),
    onRetry: (attempt, delayMs, failure) =>
      request.progress({
        stage: 'retrying',
        provider: generator.name,
        attempt,
        message: `${generator.name}: ${failure.detail}; retrying in ${seconds(delayMs)}`,
      }),
  });
}
