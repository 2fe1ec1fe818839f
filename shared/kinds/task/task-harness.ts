import { MAX_CHECK_JS_CHARS } from '../../domain/sandbox-job.js';
import type { ProviderCall } from '../../domain/types.js';

// The harness hands the sandbox nothing longer than the sandbox accepts: the same cap, said once.
export { MAX_CHECK_JS_CHARS };

import type { SourceProgress } from '../../ports/candidate-source.js';
import { compileByRule } from './check-rules.js';
import type { CheckCompiler } from './site-source.js';
import type { TaskRequest } from './task-request.js';

/**
 * The task kind's harness: every check of the evaluator's, in its order, with the expression that
 * decides it on the page — or, when nothing could make it executable, why not (it then counts as
 * unverified, never as passed).
 */
export interface TaskHarness {
  checks: HarnessCheck[];
}

export interface HarnessCheck {
  text: string;
  how: 'given' | 'rule' | 'model' | 'none';
  js: string | null;
  why?: string;
}

/** What the sandbox is handed per round must fit a state payload beside its items. */
export const MAX_HARNESS_JS_CHARS = 48 * 1024;

/**
 * Makes the evaluator's checks executable: `js:` checks as given, file and repository checks by
 * rule, the rest in one model call; a check no one could compile, or too long to hand to the
 * sandbox, stays unverified and says why.
 */
export async function compileHarness(
  request: TaskRequest,
  compiler: CheckCompiler,
  progress: (event: SourceProgress) => Promise<void>,
): Promise<{ harness: TaskHarness; notes: string[]; calls: ProviderCall[] }> {
  const { compiled, pending } = compileByRule(request.checks, {
    brief: request.brief,
    attachments: request.attachments,
  });
  const checks: HarnessCheck[] = request.checks.map((text, index) => {
    const rule = compiled.get(index);
    return rule ? { text, how: rule.how, js: rule.js } : { text, how: 'none', js: null };
  });
  const notes: string[] = [];
  let calls: ProviderCall[] = [];
  if (pending.length > 0) {
    const asked = await compiler.compile({
      brief: request.brief,
      checks: pending.map((index) => request.checks[index] ?? ''),
      progress,
    });
    notes.push(...asked.notes);
    calls = asked.calls;
    pending.forEach((checkIndex, i) => {
      const js = asked.js[i];
      const check = checks[checkIndex];
      if (!check) return;
      if (typeof js === 'string' && js.trim() !== '') Object.assign(check, { how: 'model', js: js.trim() });
      else check.why = 'no rule recognizes it and no model could make it executable';
    });
  }
  // Only the expressions handed over count toward the whole: one refused leaves its room to the rest.
  let total = 0;
  for (const check of checks) {
    if (check.js === null) continue;
    if (check.js.length > MAX_CHECK_JS_CHARS) {
      check.why = `its expression is too long to hand to the sandbox (${check.js.length} characters)`;
      check.js = null;
    } else if (total + check.js.length > MAX_HARNESS_JS_CHARS) {
      check.why = `the checks before it fill what the sandbox is handed (${MAX_HARNESS_JS_CHARS} characters of expressions)`;
      check.js = null;
    } else total += check.js.length;
  }
  return { harness: { checks }, notes, calls };
}

/** The checks the browser evaluates, by their index in the evaluator's list. */
export function executableChecks(harness: TaskHarness): Array<{ id: string; js: string }> {
  return harness.checks.flatMap((check, index) =>
    check.js === null ? [] : [{ id: String(index), js: check.js }],
  );
}
