export {
  DEFAULT_POLICIES,
  defaultPolicy,
  PROBLEM_KINDS,
  type ProblemKind,
  type SandboxPolicy,
} from '../../domain/sandbox-policy.js';
export { type ContainmentLevel, LEVEL_LAYERS, LEVELS_STRONGEST_FIRST } from './containment.js';
export { InvalidSandboxJobError, SandboxUnavailableError } from './errors.js';
export { createLocalSandboxRunner, type LocalSandboxRunnerOptions } from './local-sandbox-runner.js';
export { checkPolicy, type PolicyCheckResult } from './policy-checker.js';
