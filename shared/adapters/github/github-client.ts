import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { logger } from '../../observability/logger.js';

/** Octokit with GitHub's recommended pacing and retries of its transient failures (5xx, 429). */
export const GitHubClient = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GitHubClient>;

export interface GitHubClientOptions {
  token: string;
  /** @default 'https://api.github.com' */
  baseUrl?: string;
  /** Retries of a failed request. @default 3 */
  retries?: number;
  /** The n-th retry waits n² times this. @default 1000 (1, 4, 9 s) */
  retryBaseMs?: number;
  /** One write at a time, a second apart, as GitHub asks of API clients. @default true */
  paceWrites?: boolean;
  /** One request's wall clock: a hung connection must not hold a round past its deadline. @default 30000 */
  requestTimeoutMs?: number;
}

/**
 * The plugin's own list plus 409: GitHub answers 409 for a state, not a hiccup ("GitHub Pages is
 * already enabled", "Git Repository is empty"), and asking again only burns the round's time.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

/** A rate limit is waited out once, and only when the wait fits in a round's budget. */
const MAX_RATE_LIMIT_WAIT_S = 60;

/** Built once per process (cold start), beside the other clients. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const waitOnce =
    (what: string) =>
    (retryAfter: number, request: { method: string; url: string }, _: unknown, count: number) => {
      const retrying = count < 1 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
      logger.warn(`GitHub ${what}`, { method: request.method, url: request.url, retryAfter, retrying });
      return retrying;
    };
  return new GitHubClient({
    auth: options.token,
    baseUrl: options.baseUrl ?? 'https://api.github.com',
    userAgent: 'truth-engine',
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: retryBaseMs, doNotRetry: DO_NOT_RETRY },
    throttle: {
      enabled: options.paceWrites ?? true,
      retryAfterBaseValue: retryBaseMs,
      onRateLimit: waitOnce('rate limit'),
      onSecondaryRateLimit: waitOnce('secondary rate limit'),
    },
    request: {
      fetch: (url: string | URL, init: RequestInit = {}) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetch(url, {
          ...init,
          signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
        });
      },
    },
  });
}
