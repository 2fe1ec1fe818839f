import type { FixProblem, ProblemCategory } from '../../domain/types.js';
import { CATEGORIZE_SYSTEM_PROMPT, renderCategorizePrompt } from '../../prompts/categorize.v1.js';
import type { ProblemClassifier } from './groq-classifier.js';
import { classifyLocally, isParserError } from './local-category.js';
import { ProviderFailedError } from './provider-failed-error.js';
import { callWithRetries, seconds } from './resilient-call.js';
import type { RunContext } from './run-context.js';

export interface CategorizerOptions {
  /** Absent without a Groq key: classification is then local and no call is made. */
  classifier?: ProblemClassifier;
  timeoutMs: number;
}

/**
 * Names the problem's category. A parse error in the client's error text, a missing key or a spent
 * budget means no call; a failing Groq means a local guess and a note, never a failed session.
 */
export async function categorize(
  problem: FixProblem,
  options: CategorizerOptions,
  ctx: RunContext,
): Promise<ProblemCategory> {
  const { classifier } = options;
  if (isParserError(problem.error)) {
    await ctx.progress({
      stage: 'categorizing',
      provider: 'local',
      message: "Python's parser rejected the program",
    });
    return classifyLocally(problem.error);
  }
  if (!classifier) {
    await ctx.progress({
      stage: 'categorizing',
      provider: 'local',
      message: 'classifying from the error text',
    });
    return classifyLocally(problem.error);
  }
  if (ctx.budget.exhausted()) {
    ctx.notes.push('groq skipped: session time budget used up; classified locally');
    return classifyLocally(problem.error);
  }
  const prompt = {
    system: CATEGORIZE_SYSTEM_PROMPT,
    user: renderCategorizePrompt({
      filename: problem.filename,
      code: problem.code,
      error: problem.error,
      test: problem.test,
    }),
  };
  try {
    const output = await callWithRetries({
      provider: classifier.name,
      model: classifier.model,
      purpose: 'categorize',
      // A category is worth one retry at most: generation needs the budget more.
      policy: {
        ...ctx.policy,
        callTimeoutMs: Math.min(ctx.policy.callTimeoutMs, options.timeoutMs),
        maxRetries: Math.min(ctx.policy.maxRetries, 1),
      },
      budget: ctx.budget,
      calls: ctx.calls,
      scrub: ctx.scrub,
      run: (signal) => classifier.classify(prompt, signal),
      onAttempt: (attempt) =>
        ctx.progress({
          stage: 'categorizing',
          provider: classifier.name,
          attempt,
          message: 'classifying the problem',
        }),
      onRetry: (attempt, delayMs, failure) =>
        ctx.progress({
          stage: 'retrying',
          provider: classifier.name,
          attempt,
          message: `${classifier.name}: ${failure.detail}; retrying in ${seconds(delayMs)}`,
        }),
    });
    return { kind: output.kind, summary: output.summary, by: classifier.name };
  } catch (error) {
    if (!(error instanceof ProviderFailedError)) throw error;
    ctx.logger.warn('categorizer failed', {
      provider: error.provider,
      reason: error.summary,
      attempts: error.attempts,
    });
    ctx.notes.push(`${error.provider} failed: ${error.summary}; classified locally`);
    return classifyLocally(problem.error);
  }
}
