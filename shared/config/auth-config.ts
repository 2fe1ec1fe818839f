import { z } from 'zod';
import { optionalString, parseEnv } from './app-config.js';

const tableConfigSchema = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME is required'),
  AWS_REGION: z.string().default('us-east-1'),
  DYNAMODB_ENDPOINT: optionalString,
});

/** What a function that only reads and writes the table needs (no bucket, no issuer). */
export function readTableConfig(env: Record<string, string | undefined>): z.infer<typeof tableConfigSchema> {
  return parseEnv(tableConfigSchema, env);
}

const authConfigSchema = tableConfigSchema.extend({
  /** The token issuer (`iss`): the Cognito user pool in AWS, the local stack's own issuer locally. */
  AUTH_ISSUER: z.string().min(1, 'AUTH_ISSUER is required'),
  /** The app client the tokens are for (`aud` of an ID token). */
  AUTH_AUDIENCE: z.string().min(1, 'AUTH_AUDIENCE is required'),
  /** Where the issuer's signing keys are published. @default `${AUTH_ISSUER}/.well-known/jwks.json` */
  AUTH_JWKS_URL: optionalString,
});

export type AuthConfig = z.infer<typeof authConfigSchema> & { AUTH_JWKS_URL: string };

/** The authorizer's configuration: the table (for API keys) and the issuer it trusts. */
export function readAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const config = parseEnv(authConfigSchema, env);
  return {
    ...config,
    AUTH_JWKS_URL: config.AUTH_JWKS_URL ?? `${config.AUTH_ISSUER.replace(/\/$/, '')}/.well-known/jwks.json`,
  };
}

const quotaConfigSchema = z.object({
  /** Verifications a user may have each UTC day unless the table gives them an allowance of their own. */
  QUOTA_DAILY: z.coerce.number().int().min(0).max(100_000).default(20),
});

export type QuotaConfig = z.infer<typeof quotaConfigSchema>;

export function readQuotaConfig(env: Record<string, string | undefined>): QuotaConfig {
  return parseEnv(quotaConfigSchema, env);
}
