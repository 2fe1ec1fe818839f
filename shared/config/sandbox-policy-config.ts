import { z } from 'zod';
import { DEFAULT_POLICIES, type ProblemKind, type SandboxPolicy } from '../domain/sandbox-policy.js';
import { ConfigError } from './app-config.js';

const names = z.array(z.string().min(1)).max(500);
const overrideSchema = z
  .object({
    blockedImports: names,
    allowedImports: names,
    blockedCalls: names,
    blockedAttributes: names,
    blockedNames: names,
    pathCalls: names,
    allowedPaths: names,
  })
  .partial()
  .strict();

const policyConfigSchema = z
  .object({ fix: overrideSchema, task: overrideSchema, transform: overrideSchema, refactor: overrideSchema })
  .partial()
  .strict();

/**
 * The deployment's sandbox policy: `SANDBOX_POLICY` holds JSON keyed by problem kind, each entry
 * replacing the named lists of that kind's default policy, e.g.
 * `{"fix": {"blockedImports": ["subprocess", "socket"]}}`. Unset: the defaults.
 */
export function readSandboxPolicies(
  env: Record<string, string | undefined>,
): Partial<Record<ProblemKind, SandboxPolicy>> {
  const text = env.SANDBOX_POLICY?.trim();
  if (!text) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError('invalid configuration: SANDBOX_POLICY is not valid JSON', { cause });
  }
  const parsed = policyConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `invalid configuration: SANDBOX_POLICY.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const policies: Partial<Record<ProblemKind, SandboxPolicy>> = {};
  for (const [kind, override] of Object.entries(parsed.data) as [
    ProblemKind,
    z.infer<typeof overrideSchema>,
  ][]) {
    policies[kind] = { ...DEFAULT_POLICIES[kind], ...override };
  }
  return policies;
}
