import { z } from 'zod';

const optionalString = z
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
  /** Local stack only: the embedded Step Functions endpoint. */
  SFN_ENDPOINT: optionalString,
  /** The WebSocket management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
  WS_CALLBACK_URL: optionalString,
  SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  SANDBOX_PYTHON: optionalString,
  /**
   * Forces the sandbox's containment level (`ns`, `userns`, `uid`, `process`) instead of the
   * strongest that works; the sandbox refuses to start when the machine cannot provide it.
   */
  SANDBOX_LEVEL: optionalString.pipe(z.enum(['ns', 'userns', 'uid', 'process']).optional()),
  /** What GET /health reports before the sandbox has reported measuring its containment (local: the probe's). */
  SANDBOX_CONTAINMENT: optionalString,
  /** AWS: the Secrets Manager secret holding the model keys. */
  LLM_SECRET_ARN: optionalString,
});

export type AppConfig = z.infer<typeof appConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Parses the process configuration; throws a ConfigError naming every bad variable. */
export function readAppConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = appConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  if (!parsed.data.ARTIFACT_BUCKET && !parsed.data.ARTIFACT_DIR) {
    throw new ConfigError('invalid configuration: set ARTIFACT_BUCKET (AWS) or ARTIFACT_DIR (local)');
  }
  return parsed.data;
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
  SANDBOX_PYTHON: true,
  SANDBOX_LEVEL: true,
});
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

/** The sandbox function's configuration: it needs no table, bucket or endpoint. */
export function readSandboxConfig(env: Record<string, string | undefined>): SandboxConfig {
  const parsed = sandboxConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
