import { z } from 'zod';

export const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const appConfigSchema = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME is required'),
  AWS_REGION: z.string().default('us-east-1'),
  /** Local stack only: dynalite. */
  DYNAMODB_ENDPOINT: optionalString,
  /** AWS: artifacts (code, diffs, full logs) go to this bucket. */
  ARTIFACT_BUCKET: optionalString,
  /** Local stack: artifacts go under this directory instead of a bucket. */
  ARTIFACT_DIR: optionalString,
  /** How long code, diffs, outputs and logs are kept (the bucket's lifecycle in AWS); verdicts stay. */
  ARTIFACT_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** Local stack: where the gateway serves presigned artifact URLs. */
  ARTIFACT_URL: optionalString,
  /** Local stack: the key presigned artifact URLs are signed with (made fresh at every start). */
  ARTIFACT_SIGNING_KEY: optionalString,
  STATE_MACHINE_ARN: optionalString,
  /** The task kind's state machine (statemachines/task.asl.json). */
  TASK_STATE_MACHINE_ARN: optionalString,
  TRANSFORM_STATE_MACHINE_ARN: optionalString,
  /** Local stack only: the embedded Step Functions endpoint. */
  SFN_ENDPOINT: optionalString,
  /** The WebSocket management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
  WS_CALLBACK_URL: optionalString,
  SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** How long an uploaded dataset is kept (its item's TTL); a job copies what it runs on. */
  DATASET_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /**
   * A site job's wall clock (browser start, load, every check): longer than a Python run's, as
   * starting Chromium alone takes about a second.
   */
  SANDBOX_BROWSER_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  /** A transform run's wall clock: importing pandas and loading the table come before the program runs. */
  SANDBOX_TRANSFORM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  SANDBOX_PYTHON: optionalString,
  /** The Chromium the browser sandbox drives (the Lambda image ships its own build). */
  SANDBOX_CHROMIUM: optionalString.transform((value) => value ?? '/usr/bin/chromium'),
  /**
   * Forces the sandbox's containment level (`ns`, `userns`, `uid`, `process`) instead of the
   * strongest that works; the sandbox refuses to start when the machine cannot provide it.
   */
  SANDBOX_LEVEL: optionalString.pipe(z.enum(['ns', 'userns', 'uid', 'process']).optional()),
  /** What GET /health reports before the sandbox has reported measuring its containment (local: the probe's). */
  SANDBOX_CONTAINMENT: optionalString,
  /** AWS: the Secrets Manager secret holding the model keys. */
  LLM_SECRET_ARN: optionalString,
  /** The offline repair search (`off` never runs it): mutants run at most, and its whole time. */
  REPAIR_SEARCH: z.enum(['on', 'off']).default('on'),
  REPAIR_SEARCH_MAX_MUTANTS: z.coerce.number().int().min(1).max(5_000).default(400),
  REPAIR_SEARCH_TIME_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  /** One batch of the search (a sandbox invocation), after which the controller reports progress. */
  REPAIR_SEARCH_SLICE_MS: z.coerce.number().int().min(1_000).max(60_000).default(8_000),
});

export type AppConfig = z.infer<typeof appConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Parses environment against a schema; a ConfigError names every bad variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** Parses the process configuration; throws a ConfigError naming every bad variable. */
export function readAppConfig(env: Record<string, string | undefined>): AppConfig {
  const config = parseEnv(appConfigSchema, env);
  if (!config.ARTIFACT_BUCKET && !config.ARTIFACT_DIR) {
    throw new ConfigError('invalid configuration: set ARTIFACT_BUCKET (AWS) or ARTIFACT_DIR (local)');
  }
  return config;
}

/** Narrows an optional setting a particular function cannot run without. */
export function required<K extends keyof AppConfig>(config: AppConfig, key: K): NonNullable<AppConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null) {
    throw new ConfigError(`invalid configuration: ${String(key)} is required by this function`);
  }
  return value as NonNullable<AppConfig[K]>;
}

const sandboxConfigSchema = appConfigSchema.pick({
  SANDBOX_TIMEOUT_MS: true,
  SANDBOX_BROWSER_TIMEOUT_MS: true,
  SANDBOX_TRANSFORM_TIMEOUT_MS: true,
  SANDBOX_PYTHON: true,
  SANDBOX_CHROMIUM: true,
  SANDBOX_LEVEL: true,
});
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

/** The sandbox function's configuration: it needs no table, bucket or endpoint. */
export function readSandboxConfig(env: Record<string, string | undefined>): SandboxConfig {
  return parseEnv(sandboxConfigSchema, env);
}
