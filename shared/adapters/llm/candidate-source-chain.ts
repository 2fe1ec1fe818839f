import type { Logger } from '@aws-lambda-powertools/logger';
import type { LlmConfig } from '../../config/llm-config.js';
import type { CandidateSource, GeneratedCandidates, GenerateRequest } from '../../ports/candidate-source.js';
import { GENERATE_FIX_SYSTEM_PROMPT, renderGenerateFixPrompt } from '../../prompts/generate-fix.v1.js';
import { toProposals, toReproduction } from './candidates.js';
import { categorize } from './categorizer.js';
import type { RenderedPrompt } from './fix-generator.js';
import { createGroqClassifier } from './groq-classifier.js';
import { withHeaderAllowlist } from './header-allowlist.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { askInTurn, createGeneratorLinks } from './model-links.js';
import { generatedFixAnswer } from './model-output.js';
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
  const links = createGeneratorLinks(config, fetchFn);

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

      const asked = await askInTurn(
        links,
        ctx,
        {
          prompt,
          answer: generatedFixAnswer,
          purpose: 'generate',
          asking: `${problem.test ? '' : 'a reproduction and '}three candidates`,
          progress: request.progress,
          accept: (value, provider) => {
            const { proposals, duplicates } = toProposals(value.candidates, problem.code, provider);
            // Nothing new to run is as useless as no answer: let the next provider try.
            if (proposals.length === 0) {
              throw new InvalidOutputError(
                'no-new-candidates',
                'returned only candidates identical to the original program',
              );
            }
            return {
              reproduction: problem.test ? null : toReproduction(value.reproduction),
              candidates: proposals,
              duplicates,
            };
          },
        },
        config.sessionBudgetMs,
      );
      const { passedOver } = asked;
      if (asked.served) {
        ctx.notes.unshift([...passedOver, `served by ${asked.provider}`].join('; '));
        if (asked.value.duplicates > 0) {
          ctx.notes.push(
            `${asked.value.duplicates} ${asked.provider} candidate(s) identical to the original or to another were dropped`,
          );
        }
        return {
          reproduction: asked.value.reproduction,
          candidates: asked.value.candidates,
          notes: ctx.notes,
          calls: ctx.calls,
          category,
        };
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
