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
  /** What GET /health reports as the sandbox's containment (the sandbox itself may run elsewhere). */
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
