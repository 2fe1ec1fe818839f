import { z } from 'zod';
import { parseEnv } from './app-config.js';

const flag = z
  .string()
  .optional()
  .transform((value) => value?.trim().toLowerCase() === 'true');

const taskConfigSchema = z.object({
  /** Local: the deployment's task secret itself. In AWS it comes from Secrets Manager (TASK_SECRET_ARN). */
  TASK_SECRET: z.string().optional(),
  TASK_SECRET_ARN: z.string().optional(),
  /** Local demo and tests only: lets `evaluation_url` be http://localhost or http://127.0.0.1. */
  TASK_ALLOW_LOOPBACK_CALLBACK: flag,
  /**
   * Generation and verification together, from the request: the evaluator wants the result within
   * 10 minutes, and publishing and reporting (part 2) need the rest.
   */
  TASK_BUDGET_MS: z.coerce.number().int().min(10_000).max(540_000).default(300_000),
  /**
   * From the request to the evaluator's notification: its contract says 10 minutes. Shorter only
   * for tests of the retry schedule (the build's budget is then cut to it too).
   */
  TASK_NOTIFY_DEADLINE_MS: z.coerce.number().int().min(5_000).max(600_000).default(600_000),
  /** Attempts (generate, check, judge) per task round while the budget allows. */
  TASK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(2),
  /** Another attempt starts only with this much of the budget left (an attempt: generate and check). */
  TASK_ATTEMPT_RESERVE_MS: z.coerce.number().int().min(0).max(540_000).default(120_000),
  /** Refused secrets from one source within a window before it is turned away for the window's rest. */
  TASK_AUTH_FAILURES_PER_WINDOW: z.coerce.number().int().min(1).max(1000).default(5),
  TASK_AUTH_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(60),
});

export type TaskConfig = z.infer<typeof taskConfigSchema>;

/** The task kind's settings, read once per process. */
export function readTaskConfig(env: Record<string, string | undefined>): TaskConfig {
  return parseEnv(taskConfigSchema, env);
}
