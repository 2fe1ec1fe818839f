import { z } from 'zod';
import { optionalString, parseEnv } from './app-config.js';

const deliveryConfigSchema = z.object({
  /** Waiting for Pages stops this long before the deadline, so the notification still goes out in time. */
  TASK_NOTIFY_RESERVE_MS: z.coerce.number().int().min(0).max(300_000).default(60_000),
  /** One POST to the evaluator: a hung endpoint must not eat the retries' time. */
  TASK_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** One GET of a published file from the pages URL (the live check's fetch). */
  TASK_LIVE_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** With a token (locally) or its secret (AWS) rounds publish to GitHub; with neither, to local git. */
  GITHUB_TOKEN: optionalString,
  GITHUB_TOKEN_SECRET_ARN: optionalString,
  /** The GitHub REST API's base URL (GitHub Enterprise, or a loopback server speaking its API in tests). */
  GITHUB_API_URL: optionalString,
  /** The local publisher's repositories (`<dir>/<owner>/<repo>`), served by the local stack at PAGES_BASE_URL. */
  PAGES_DIR: optionalString,
  PAGES_BASE_URL: optionalString,
  /** The task secret's ARN: its value is scanned for before any push, like the other deployment keys. */
  TASK_SECRET_ARN: optionalString,
});

export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;

/** Publishing and reporting a task round's winner: read once per process. */
export function readDeliveryConfig(env: Record<string, string | undefined>): DeliveryConfig {
  return parseEnv(deliveryConfigSchema, env);
}
