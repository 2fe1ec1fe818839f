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
}

/** Model names are configuration so that a retired model is a context change, not a code change. */
export const DEFAULT_MODELS: TruthEngineConfig['models'] = {
  gemini: 'gemini-2.5-flash',
  groq: 'llama-3.3-70b-versatile',
  deepseek: 'deepseek-chat',
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

/**
 * Reads the deployment settings from CDK context (`cdk.json` or `-c key=value`):
 * `removalPolicy` (`destroy` | `retain`, default `destroy` for throwaway dev stacks),
 * `artifactTtlDays` (default 7), `geminiModel`, `groqModel`, `deepseekModel`.
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
  };
}
