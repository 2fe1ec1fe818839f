import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/** Deployment settings that vary between a developer's stack and a long-lived one. */
export interface TruthEngineConfig {
  /** Applied to the table, the bucket, the secret and every log group. */
  readonly removalPolicy: RemovalPolicy;
  /** Days the artifact bucket keeps code, diffs, outputs and logs. */
  readonly artifactTtlDays: number;
  readonly models: {
    readonly gemini: string;
    readonly groq: string;
    readonly deepseek: string;
  };
  /** Sign-in (Cognito) and what a signed-in user may spend. */
  readonly auth: AuthConfig;
}

/** Google as a sign-in option: its OAuth client, whose secret stays in Secrets Manager. */
export interface GoogleIdpConfig {
  readonly clientId: string;
  /** Name or ARN of a Secrets Manager secret whose value is the client secret (a plain string). */
  readonly clientSecretName: string;
}

/**
 * GitHub as a sign-in option. GitHub speaks OAuth 2.0 but not OpenID Connect, so Cognito reaches it
 * through an OIDC bridge deployed in front of it (one that serves discovery, a JWKS and an ID token
 * made from GitHub's user API): `issuerUrl` is the bridge's issuer, the client is registered there.
 */
export interface GitHubIdpConfig {
  readonly issuerUrl: string;
  readonly clientId: string;
  /** Name or ARN of a Secrets Manager secret whose value is the client secret (a plain string). */
  readonly clientSecretName: string;
}

export interface AuthConfig {
  /**
   * The hosted UI's Cognito prefix domain, `https://<prefix>.auth.<region>.amazoncognito.com`.
   * @default - `truth-engine-` and the last group of the stack's id: stable for the stack's life
   */
  readonly domainPrefix?: string;
  /** Verifications a user may spend per UTC day (a per-user override lives in the table). */
  readonly quotaDaily: number;
  /** @default - no Google sign-in */
  readonly google?: GoogleIdpConfig;
  /** @default - no GitHub sign-in */
  readonly github?: GitHubIdpConfig;
}

/** The daily verification allowance when nothing else is said. */
export const DEFAULT_QUOTA_DAILY = 20;

/** Model names are configuration so that a retired model is a context change, not a code change. */
export const DEFAULT_MODELS: TruthEngineConfig['models'] = {
  gemini: 'gemini-2.5-flash',
  groq: 'llama-3.3-70b-versatile',
  deepseek: 'deepseek-chat',
};

/** Settings when none are read from context: throwaway dev stacks. */
export const DEFAULT_CONFIG: TruthEngineConfig = {
  removalPolicy: RemovalPolicy.DESTROY,
  artifactTtlDays: 7,
  models: DEFAULT_MODELS,
  auth: { quotaDaily: DEFAULT_QUOTA_DAILY },
};

const REMOVAL_POLICIES: Record<string, RemovalPolicy> = {
  destroy: RemovalPolicy.DESTROY,
  retain: RemovalPolicy.RETAIN,
};

function contextString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new Error(`context "${key}" must be a string, got ${typeof value}`);
  }
  return value;
}

/** Cognito's rule for a prefix domain: lowercase letters, digits and inner hyphens, no reserved words. */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_IN_PREFIX = /aws|amazon|cognito/;

function readDomainPrefix(node: Node): string | undefined {
  const prefix = contextString(node, 'authDomainPrefix');
  if (prefix === undefined) return undefined;
  if (!DOMAIN_PREFIX.test(prefix) || RESERVED_IN_PREFIX.test(prefix)) {
    throw new Error(
      `context "authDomainPrefix" must be 1-63 lowercase letters, digits or inner hyphens without "aws", "amazon" or "cognito", got "${prefix}"`,
    );
  }
  return prefix;
}

/** The settings of one identity provider: all of them, or none (a half-configured provider is a mistake). */
function readAll<K extends string>(node: Node, provider: string, keys: Record<K, string>) {
  const values = Object.fromEntries(
    Object.entries<string>(keys).map(([field, key]) => [field, contextString(node, key)]),
  ) as Record<K, string | undefined>;
  const given = Object.values<string | undefined>(values).filter((value) => value !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < Object.keys(keys).length) {
    throw new Error(
      `${provider} sign-in needs all of ${Object.values(keys)
        .map((k) => `"${k}"`)
        .join(', ')}`,
    );
  }
  return values as Record<K, string>;
}

function readGitHub(node: Node): GitHubIdpConfig | undefined {
  const github = readAll(node, 'GitHub', {
    issuerUrl: 'githubOidcIssuerUrl',
    clientId: 'githubClientId',
    clientSecretName: 'githubClientSecretName',
  });
  if (github !== undefined && !/^https:\/\/[^/]/.test(github.issuerUrl)) {
    throw new Error(`context "githubOidcIssuerUrl" must be an https URL, got "${github.issuerUrl}"`);
  }
  return github;
}

function readQuotaDaily(node: Node): number {
  const quota = contextString(node, 'quotaDaily') ?? String(DEFAULT_QUOTA_DAILY);
  if (!/^\d+$/.test(quota) || Number(quota) > 100_000) {
    throw new Error(`context "quotaDaily" must be a whole number from 0 to 100000, got "${quota}"`);
  }
  return Number(quota);
}

/**
 * Reads the deployment settings from CDK context (`cdk.json` or `-c key=value`):
 * `removalPolicy` (`destroy` | `retain`, default `destroy` for throwaway dev stacks),
 * `artifactTtlDays` (default 7), `geminiModel`, `groqModel`, `deepseekModel`; sign-in:
 * `authDomainPrefix`, `quotaDaily` (default 20), `googleClientId` + `googleClientSecretName`,
 * `githubOidcIssuerUrl` + `githubClientId` + `githubClientSecretName` (secrets by Secrets Manager
 * name or ARN, never the value).
 */
export function readConfig(node: Node): TruthEngineConfig {
  const policyName = contextString(node, 'removalPolicy') ?? 'destroy';
  const removalPolicy = REMOVAL_POLICIES[policyName];
  if (removalPolicy === undefined) {
    throw new Error(
      `context "removalPolicy" must be one of ${Object.keys(REMOVAL_POLICIES).join(', ')}, got "${policyName}"`,
    );
  }
  const ttl = contextString(node, 'artifactTtlDays') ?? '7';
  if (!/^\d+$/.test(ttl) || Number(ttl) < 1 || Number(ttl) > 3650) {
    throw new Error(`context "artifactTtlDays" must be a whole number of days from 1 to 3650, got "${ttl}"`);
  }
  return {
    removalPolicy,
    artifactTtlDays: Number(ttl),
    models: {
      gemini: contextString(node, 'geminiModel') ?? DEFAULT_MODELS.gemini,
      groq: contextString(node, 'groqModel') ?? DEFAULT_MODELS.groq,
      deepseek: contextString(node, 'deepseekModel') ?? DEFAULT_MODELS.deepseek,
    },
    auth: {
      domainPrefix: readDomainPrefix(node),
      quotaDaily: readQuotaDaily(node),
      google: readAll(node, 'Google', {
        clientId: 'googleClientId',
        clientSecretName: 'googleClientSecretName',
      }),
      github: readGitHub(node),
    },
  };
}
