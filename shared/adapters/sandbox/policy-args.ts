import type { SandboxPolicy } from '../../domain/sandbox-policy.js';

/** The sandbox's own Python modules: a checked file may not import them (they hold the real builtins). */
export const INTERNAL_MODULES: readonly string[] = [
  'sitecustomize',
  'te_sandbox_boot',
  'te_sandbox_disk',
  'te_sandbox_forkserver',
  'te_sandbox_guard',
  'te_sandbox_job_process',
  'te_sandbox_policy',
  'te_sandbox_supervisor',
];

/** The policy as the Python side reads it: comma-separated lists by key. */
export function policyArgs(policy: SandboxPolicy): Record<string, string> {
  const list = (items: readonly string[]) => {
    for (const item of items) {
      if (/[,|=\s]/.test(item))
        throw new Error(`policy entry ${JSON.stringify(item)} has a reserved character`);
    }
    return items.join(',');
  };
  return {
    imports: list([...policy.blockedImports, ...INTERNAL_MODULES]),
    allowed: policy.allowedImports ? list(policy.allowedImports) : '',
    calls: list(policy.blockedCalls),
    attrs: list(policy.blockedAttributes),
    names: list(policy.blockedNames),
    path_calls: list(policy.pathCalls),
    allowed_paths: list(policy.allowedPaths),
  };
}

/** `key=value|key=value`, the format of the TE_SANDBOX_GUARD variable. */
export function encodeGuardConfig(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => {
      if (v.includes('|')) throw new Error(`guard config value for ${k} contains '|'`);
      return `${k}=${v}`;
    })
    .join('|');
}
