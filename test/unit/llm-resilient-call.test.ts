import { describe, expect, it } from 'vitest';
import { InvalidOutputError } from '../../shared/adapters/llm/invalid-output-error.js';
import { ProviderConnectionError } from '../../shared/adapters/llm/provider-connection-error.js';
import { ProviderFailedError } from '../../shared/adapters/llm/provider-failed-error.js';
import { ProviderHttpError } from '../../shared/adapters/llm/provider-http-error.js';
import { backoffDelayMs, callWithRetries } from '../../shared/adapters/llm/resilient-call.js';
import { createScrubber } from '../../shared/adapters/llm/scrub.js';
import { SessionBudget } from '../../shared/adapters/llm/session-budget.js';
import type { AttemptResult } from '../../shared/adapters/llm/token-usage.js';
import type { RetryPolicy } from '../../shared/config/llm-config.js';
import type { ProviderCall } from '../../shared/ports/candidate-source.js';

const policy: RetryPolicy = {
  callTimeoutMs: 1_000,
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 250,
  retryAfterCapMs: 5_000,
};

type Step = () => Promise<AttemptResult<string>>;

function harness(steps: Step[], overrides: { policy?: Partial<RetryPolicy>; budgetMs?: number } = {}) {
  const calls: ProviderCall[] = [];
  const waits: number[] = [];
  const retries: number[] = [];
  let attempts = 0;
  const run = () =>
    callWithRetries<string>({
      provider: 'gemini',
      model: 'm',
      purpose: 'generate',
      policy: { ...policy, ...overrides.policy },
      budget: new SessionBudget(overrides.budgetMs ?? 60_000),
      calls,
      scrub: createScrubber(['the-secret-key']),
      run: () => {
        const step = steps[attempts] ?? steps.at(-1);
        attempts++;
        if (!step) throw new Error('no step');
        return step();
      },
      onRetry: async (next) => {
        retries.push(next);
      },
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
  return { run, calls, waits, retries, attempts: () => attempts };
}

const ok: Step = async () => ({ value: 'done', usage: { inputTokens: 5, outputTokens: 7 } });
const http =
  (status: number, retryAfterMs?: number): Step =>
  async () => {
    throw new ProviderHttpError(status, `upstream said no (key the-secret-key)`, retryAfterMs);
  };

describe('Function: callWithRetries', () => {
  it('returns the first success and records it with its usage', async () => {
    const h = harness([ok]);
    await expect(h.run()).resolves.toBe('done');
    expect(h.calls).toEqual([
      expect.objectContaining({
        provider: 'gemini',
        model: 'm',
        purpose: 'generate',
        ok: true,
        inputTokens: 5,
        outputTokens: 7,
      }),
    ]);
    expect(h.waits).toEqual([]);
  });

  it('retries 5xx with growing, capped backoff, then gives up with a plain summary', async () => {
    const h = harness([http(503)]);
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderFailedError);
    expect((error as ProviderFailedError).summary).toBe('HTTP 503 after 3 attempts');
    expect((error as ProviderFailedError).attempts).toBe(3);
    expect(h.attempts()).toBe(3);
    // random 0.5 → three quarters of the step: 100 → 75, 200 → 150.
    expect(h.waits).toEqual([75, 150]);
    expect(h.retries).toEqual([2, 3]);
    expect(h.calls.map((c) => c.ok)).toEqual([false, false, false]);
    expect(h.calls[0]?.error).toBe('HTTP 503: upstream said no (key [redacted])');
  });

  it('waits what retry-after asks, then succeeds', async () => {
    const h = harness([http(429, 1_200), ok]);
    await expect(h.run()).resolves.toBe('done');
    expect(h.waits).toEqual([1_200]);
  });

  it('gives up at once when retry-after exceeds the cap', async () => {
    const h = harness([http(429, 60_000), ok]);
    const error = (await h.run().catch((e: unknown) => e)) as ProviderFailedError;
    expect(error.kind).toBe('rate-limited');
    expect(error.summary).toBe('rate-limited (HTTP 429); asked to wait 60 s, more than the 5 s allowed');
    expect(h.attempts()).toBe(1);
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const h = harness([http(400), ok]);
    await expect(h.run()).rejects.toThrow('gemini failed: HTTP 400');
    expect(h.attempts()).toBe(1);
  });

  it('retries 408 and connection failures', async () => {
    const refused: Step = async () => {
      throw new ProviderConnectionError('fetch failed (ECONNREFUSED)');
    };
    const h = harness([http(408), refused, ok]);
    await expect(h.run()).resolves.toBe('done');
    expect(h.attempts()).toBe(3);
  });

  it('does not retry unusable output, and keeps its usage', async () => {
    const bad: Step = async () => {
      throw new InvalidOutputError('malformed-json', 'returned malformed JSON', {
        inputTokens: 1,
        outputTokens: 2,
      });
    };
    const h = harness([bad, ok]);
    const error = (await h.run().catch((e: unknown) => e)) as ProviderFailedError;
    expect(error.summary).toBe('returned malformed JSON');
    expect(h.attempts()).toBe(1);
    expect(h.calls[0]).toEqual(expect.objectContaining({ ok: false, inputTokens: 1, outputTokens: 2 }));
  });

  it('ends a hung attempt at the per-call timeout, even if the attempt ignores its signal', async () => {
    const hang: Step = () => new Promise(() => {});
    const h = harness([hang, ok], { policy: { callTimeoutMs: 50 } });
    const error = (await h.run().catch((e: unknown) => e)) as ProviderFailedError;
    expect(error.kind).toBe('timeout');
    expect(error.summary).toBe('timed out (no answer within 50 ms)');
    expect(h.attempts()).toBe(1);
  });

  it('aborts the signal it hands to the attempt when the time is up', async () => {
    let seen: AbortSignal | undefined;
    const calls: ProviderCall[] = [];
    const promise = callWithRetries<string>({
      provider: 'deepseek',
      model: 'm',
      purpose: 'generate',
      policy: { ...policy, callTimeoutMs: 30 },
      budget: new SessionBudget(60_000),
      calls,
      scrub: createScrubber([]),
      run: (signal) => {
        seen = signal;
        return new Promise<AttemptResult<string>>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    await expect(promise).rejects.toBeInstanceOf(ProviderFailedError);
    expect(seen?.aborted).toBe(true);
  });

  it('starts nothing once the budget is spent', async () => {
    const h = harness([ok], { budgetMs: 0 });
    const error = (await h.run().catch((e: unknown) => e)) as ProviderFailedError;
    expect(error.kind).toBe('budget');
    expect(h.attempts()).toBe(0);
    expect(h.calls).toEqual([]);
  });

  it('does not wait past the budget for a retry', async () => {
    const h = harness([http(500), ok], { budgetMs: 60 });
    const error = (await h.run().catch((e: unknown) => e)) as ProviderFailedError;
    expect(error.summary).toBe('HTTP 500; the session time budget ran out before the next attempt');
    expect(h.attempts()).toBe(1);
    expect(h.waits).toEqual([]);
  });

  it('clips an attempt to what is left of the budget', async () => {
    const hang: Step = () => new Promise(() => {});
    const h = harness([hang], { budgetMs: 40, policy: { callTimeoutMs: 10_000 } });
    const started = Date.now();
    const error = (await h.run().catch((e: unknown) => e)) as ProviderFailedError;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.kind).toBe('budget');
    expect(error.summary).toMatch(/^the session time budget ran out during attempt 1/);
  });
});

describe('Function: backoffDelayMs', () => {
  it('doubles per retry up to the maximum, keeping at least half the step', () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(50);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(100);
    expect(backoffDelayMs(3, policy, () => 1)).toBe(250);
    expect(backoffDelayMs(10, policy, () => 0.5)).toBe(188);
  });
});
