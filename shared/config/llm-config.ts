import { z } from 'zod';

/** Empty or blank means unset: a deployed template often exports a variable it has no value for. */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const stringWithDefault = (fallback: string) =>
  optionalString.transform((value) => value ?? fallback).pipe(z.string().min(1));

const urlWithDefault = (fallback: string) =>
  optionalString.transform((value) => value ?? fallback).pipe(z.url({ protocol: /^https?$/ }));

const intWithDefault = (fallback: number, min: number, max: number) =>
  optionalString
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.number().int().min(min).max(max));

const llmEnvSchema = z.object({
  GEMINI_API_KEY: optionalString,
  GROQ_API_KEY: optionalString,
  DEEPSEEK_API_KEY: optionalString,
  GEMINI_MODEL: stringWithDefault('gemini-2.5-flash'),
  GROQ_MODEL: stringWithDefault('llama-3.3-70b-versatile'),
  DEEPSEEK_MODEL: stringWithDefault('deepseek-chat'),
  // The SDKs append their own API paths (`/v1beta/models/…`, `/openai/v1/…`, `/chat/completions`).
  GEMINI_BASE_URL: urlWithDefault('https://generativelanguage.googleapis.com'),
  GROQ_BASE_URL: urlWithDefault('https://api.groq.com'),
  DEEPSEEK_BASE_URL: urlWithDefault('https://api.deepseek.com'),
  LLM_CALL_TIMEOUT_MS: intWithDefault(25_000, 1, 300_000),
  LLM_CATEGORIZE_TIMEOUT_MS: intWithDefault(8_000, 1, 300_000),
  LLM_MAX_RETRIES: intWithDefault(2, 0, 10),
  // Below the 60 s a Step Functions Task gets by default, leaving room for the rest of the controller.
  LLM_SESSION_BUDGET_MS: intWithDefault(50_000, 1, 900_000),
  LLM_RETRY_BASE_DELAY_MS: intWithDefault(500, 0, 60_000),
  LLM_RETRY_MAX_DELAY_MS: intWithDefault(4_000, 0, 120_000),
  LLM_RETRY_AFTER_CAP_MS: intWithDefault(10_000, 0, 300_000),
  // A task's three whole sites take longer to write than three programs; the whole task must still
  // be reportable within the evaluator's 10 minutes.
  TASK_CALL_TIMEOUT_MS: intWithDefault(150_000, 1, 300_000),
  TASK_MODEL_BUDGET_MS: intWithDefault(240_000, 1, 600_000),
});

export interface ProviderSettings {
  /** Absent when the provider is not configured; such a provider is skipped, never called. */
  apiKey?: string;
  model: string;
  baseUrl: string;
}

/** How hard to try one provider before moving on. */
export interface RetryPolicy {
  /** Upper bound for one HTTP attempt (also clipped to what is left of the session budget). */
  callTimeoutMs: number;
  /** Retries after the first attempt, on 429, 408, 5xx and connection failures only. */
  maxRetries: number;
  /** First backoff delay; doubles per retry, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A provider's `retry-after` is honoured up to this; a longer wait gives up on that provider. */
  retryAfterCapMs: number;
}

export interface LlmConfig {
  gemini: ProviderSettings;
  groq: ProviderSettings;
  deepseek: ProviderSettings;
  retry: RetryPolicy;
  /** Categorization is a short answer: it gets its own, shorter timeout and at most one retry. */
  categorizeTimeoutMs: number;
  /** Wall-clock budget for one `generate` call (one controller invocation); no attempt starts past it. */
  sessionBudgetMs: number;
  /** The task kind's per-call timeout and model budget for a whole round (check compilation and sites). */
  task: { callTimeoutMs: number; budgetMs: number };
}

export class LlmConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LlmConfigError';
  }
}

/** The variables `readLlmConfig` reads; a secret store may supply any of them. */
export const LLM_ENV_KEYS = Object.keys(llmEnvSchema.shape) as readonly (keyof typeof llmEnvSchema.shape)[];

/**
 * Reads the model providers' settings once, at cold start. Names every bad variable in the error,
 * never a value (a value may be a key).
 */
export function readLlmConfig(env: Record<string, string | undefined>): LlmConfig {
  const picked: Record<string, string | undefined> = {};
  for (const key of LLM_ENV_KEYS) picked[key] = env[key];
  const parsed = llmEnvSchema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new LlmConfigError(`invalid LLM configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.LLM_RETRY_MAX_DELAY_MS < e.LLM_RETRY_BASE_DELAY_MS) {
    throw new LlmConfigError(
      'invalid LLM configuration: LLM_RETRY_MAX_DELAY_MS must not be below LLM_RETRY_BASE_DELAY_MS',
    );
  }
  return {
    gemini: { apiKey: e.GEMINI_API_KEY, model: e.GEMINI_MODEL, baseUrl: e.GEMINI_BASE_URL },
    groq: { apiKey: e.GROQ_API_KEY, model: e.GROQ_MODEL, baseUrl: e.GROQ_BASE_URL },
    deepseek: { apiKey: e.DEEPSEEK_API_KEY, model: e.DEEPSEEK_MODEL, baseUrl: e.DEEPSEEK_BASE_URL },
    retry: {
      callTimeoutMs: e.LLM_CALL_TIMEOUT_MS,
      maxRetries: e.LLM_MAX_RETRIES,
      baseDelayMs: e.LLM_RETRY_BASE_DELAY_MS,
      maxDelayMs: e.LLM_RETRY_MAX_DELAY_MS,
      retryAfterCapMs: e.LLM_RETRY_AFTER_CAP_MS,
    },
    categorizeTimeoutMs: e.LLM_CATEGORIZE_TIMEOUT_MS,
    sessionBudgetMs: e.LLM_SESSION_BUDGET_MS,
    task: { callTimeoutMs: e.TASK_CALL_TIMEOUT_MS, budgetMs: e.TASK_MODEL_BUDGET_MS },
  };
}
