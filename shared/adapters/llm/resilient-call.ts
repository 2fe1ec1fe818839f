import type { RetryPolicy } from '../../config/llm-config.js';
import type { ProviderCall } from '../../ports/candidate-source.js';
import { AttemptTimeoutError } from './attempt-timeout-error.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { ProviderConnectionError } from './provider-connection-error.js';
import { type FailureKind, ProviderFailedError } from './provider-failed-error.js';
import { ProviderHttpError } from './provider-http-error.js';
import type { Scrubber } from './scrub.js';
import type { SessionBudget } from './session-budget.js';
import type { AttemptResult, TokenUsage } from './token-usage.js';

/** What went wrong with one attempt, and whether another attempt could help. */
export interface AttemptFailure {
  kind: FailureKind;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  timeoutMs?: number;
  /** Scrubbed one-liner, stored on the call record. */
  detail: string;
  usage?: TokenUsage;
}

export interface ResilientCallOptions<T> {
  provider: string;
  model: string;
  purpose: ProviderCall['purpose'];
  policy: RetryPolicy;
  budget: SessionBudget;
  /** One attempt. Must honour the signal; it is also raced against it, so a stuck SDK cannot hold us. */
  run: (signal: AbortSignal) => Promise<AttemptResult<T>>;
  /** Every attempt, successful or not, is appended here. */
  calls: ProviderCall[];
  scrub: Scrubber;
  onAttempt?: (attempt: number) => Promise<void>;
  onRetry?: (nextAttempt: number, delayMs: number, failure: AttemptFailure) => Promise<void>;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Statuses that say "try again": request timeout, rate limit, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Exponential backoff with equal jitter: half the step is kept, half is random, so a floor remains. */
export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls a provider with a per-attempt timeout, retries on 429/408/5xx and connection failures (honouring
 * `retry-after` up to a cap), and never starts an attempt, nor a wait, past the session budget.
 * Timeouts and unusable output are not retried here: the caller moves to the next provider instead.
 * Throws ProviderFailedError when it gives up.
 */
export async function callWithRetries<T>(options: ResilientCallOptions<T>): Promise<T> {
  const { policy, budget, provider, scrub } = options;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = policy.maxRetries + 1;
  let last: AttemptFailure | undefined;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const remaining = budget.remainingMs();
    if (remaining <= 0) {
      throw giveUp(provider, budgetFailure(budget), attempt - 1, last);
    }
    const byBudget = remaining < policy.callTimeoutMs;
    const timeoutMs = byBudget ? remaining : policy.callTimeoutMs;
    await options.onAttempt?.(attempt);
    const started = performance.now();
    try {
      const result = await runWithTimeout(options.run, timeoutMs, byBudget);
      options.calls.push(record(options, true, started, result.usage));
      return result.value;
    } catch (error) {
      const failure = classify(error, scrub);
      last = failure;
      options.calls.push(record(options, false, started, failure.usage, failure.detail));
      if (!failure.retryable || attempt === maxAttempts)
        throw giveUp(provider, failure, attempt, undefined, error);

      let delayMs: number;
      if (failure.retryAfterMs !== undefined) {
        if (failure.retryAfterMs > policy.retryAfterCapMs) {
          const wait = `asked to wait ${seconds(failure.retryAfterMs)}, more than the ${seconds(policy.retryAfterCapMs)} allowed`;
          throw giveUp(provider, { ...failure, detail: wait }, attempt, undefined, error, wait);
        }
        delayMs = failure.retryAfterMs;
      } else {
        delayMs = backoffDelayMs(attempt, policy, random);
      }
      if (delayMs >= budget.remainingMs()) {
        throw giveUp(
          provider,
          failure,
          attempt,
          undefined,
          error,
          'the session time budget ran out before the next attempt',
        );
      }
      await options.onRetry?.(attempt + 1, delayMs, failure);
      await sleep(delayMs);
    }
  }
  // Unreachable: the last attempt either returns or throws.
  throw giveUp(provider, last ?? budgetFailure(budget), maxAttempts);
}

async function runWithTimeout<T>(
  run: (signal: AbortSignal) => Promise<AttemptResult<T>>,
  timeoutMs: number,
  byBudget: boolean,
): Promise<AttemptResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AttemptTimeoutError(timeoutMs, byBudget)), timeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const pending = run(controller.signal);
  // Once the race is lost to the timer, the SDK's own abort rejection has nobody to hear it.
  pending.catch(() => {});
  try {
    return await Promise.race([pending, aborted]);
  } finally {
    clearTimeout(timer);
  }
}

function classify(error: unknown, scrub: Scrubber): AttemptFailure {
  if (error instanceof AttemptTimeoutError) {
    return {
      kind: error.byBudget ? 'budget' : 'timeout',
      retryable: false,
      timeoutMs: error.timeoutMs,
      detail: `no answer within ${seconds(error.timeoutMs)}`,
    };
  }
  if (error instanceof InvalidOutputError) {
    return { kind: 'invalid-output', retryable: false, detail: scrub(error.message), usage: error.usage };
  }
  if (error instanceof ProviderHttpError) {
    return {
      kind: error.status === 429 ? 'rate-limited' : 'http',
      retryable: isRetryableStatus(error.status),
      status: error.status,
      retryAfterMs: error.retryAfterMs,
      detail: scrub(`HTTP ${error.status}: ${error.message}`),
    };
  }
  if (error instanceof ProviderConnectionError) {
    return {
      kind: 'connection',
      retryable: true,
      detail: scrub(`connection failed: ${error.message.replace(/\.$/, '')}`),
    };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'error', retryable: false, detail: scrub(message) };
}

function budgetFailure(budget: SessionBudget): AttemptFailure {
  return {
    kind: 'budget',
    retryable: false,
    detail: `session time budget (${seconds(budget.limitMs)}) used up`,
  };
}

/** Turns the last failure into the sentence the client reads in the notes. */
function giveUp(
  provider: string,
  failure: AttemptFailure,
  attempts: number,
  previous?: AttemptFailure,
  cause?: unknown,
  stopReason?: string,
): ProviderFailedError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  let summary: string;
  switch (failure.kind) {
    case 'http':
      summary = `HTTP ${failure.status}${tries}`;
      break;
    case 'rate-limited':
      summary = `rate-limited (HTTP 429)${tries}`;
      break;
    case 'timeout':
      summary = `timed out (${failure.detail})${tries}`;
      break;
    case 'connection':
      summary = `could not connect${tries}`;
      break;
    case 'invalid-output':
      summary = failure.detail;
      break;
    case 'budget':
      summary = previous
        ? `${describePrevious(previous)}${tries}, then the session time budget ran out`
        : attempts > 0
          ? `the session time budget ran out during attempt ${attempts} (${failure.detail})`
          : failure.detail;
      break;
    default:
      summary = `${failure.detail}${tries}`;
  }
  if (stopReason) summary = `${summary}; ${stopReason}`;
  return new ProviderFailedError(provider, failure.kind, summary, attempts, { cause });
}

function describePrevious(failure: AttemptFailure): string {
  if (failure.status !== undefined) return `HTTP ${failure.status}`;
  return failure.kind === 'connection' ? 'could not connect' : failure.kind;
}

function record(
  options: ResilientCallOptions<unknown>,
  ok: boolean,
  started: number,
  usage?: TokenUsage,
  error?: string,
): ProviderCall {
  return {
    provider: options.provider,
    model: options.model,
    purpose: options.purpose,
    ok,
    latencyMs: Math.round(performance.now() - started),
    ...(usage?.inputTokens !== undefined ? { inputTokens: usage.inputTokens } : {}),
    ...(usage?.outputTokens !== undefined ? { outputTokens: usage.outputTokens } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

export function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
