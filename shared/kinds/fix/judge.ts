import type { RunSummary, SessionStatus } from '../../domain/types.js';

export interface JudgedCandidate {
  index: number;
  result: RunSummary;
  /** Lines changed against the original program. */
  changedLines: number;
}

export interface Judgement {
  status: Extract<SessionStatus, 'verified' | 'no_fix' | 'not_reproduced' | 'failed'>;
  winner: { index: number; durationMs: number } | null;
  reason: string;
}

/**
 * The engine's promise, as a pure function: nothing is verified unless it ran and passed.
 *
 * 1. The baseline (the original program against the harness) must fail; if it passes, the harness
 *    proves nothing and no winner is named (`not_reproduced`).
 * 2. Only a run that executed the harness and failed it is evidence: `failed`, `timeout`, or a crash
 *    the program brought on (a limit, a fatal signal). A baseline the policy blocked, or one whose
 *    sandbox crashed (it could not start, the function failed, was throttled or timed out), proves
 *    nothing: the session ends `failed` with the reason.
 * 3. Otherwise the winner is the passing candidate with the shortest run (whole milliseconds),
 *    ties broken by the smallest change, then by the lower index.
 */
export function judge(baseline: RunSummary | undefined, candidates: readonly JudgedCandidate[]): Judgement {
  if (baseline === undefined) {
    return {
      status: 'failed',
      winner: null,
      reason: 'the original program was never run against the harness',
    };
  }
  if (baseline.status === 'passed') {
    return {
      status: 'not_reproduced',
      winner: null,
      reason: 'the original program passes the harness, so the harness does not reproduce the problem',
    };
  }
  if (baseline.status === 'blocked') {
    return {
      status: 'failed',
      winner: null,
      reason: `the original program was blocked by the sandbox policy (${baseline.reason ?? 'no reason given'})`,
    };
  }
  if (baseline.status === 'crashed' && baseline.crashedBy !== 'program') {
    return {
      status: 'failed',
      winner: null,
      reason: `the original program's run crashed in the sandbox, so nothing shows the problem reproduces (${baseline.reason ?? 'no reason given'})`,
    };
  }
  const passing = candidates.filter((candidate) => candidate.result.status === 'passed');
  if (passing.length === 0) {
    return {
      status: 'no_fix',
      winner: null,
      reason:
        candidates.length === 0
          ? 'no candidate fix was proposed'
          : `none of ${candidates.length} candidates passed`,
    };
  }
  const [best] = [...passing].sort(
    (a, b) =>
      Math.round(a.result.durationMs) - Math.round(b.result.durationMs) ||
      a.changedLines - b.changedLines ||
      a.index - b.index,
  );
  if (!best) throw new Error('unreachable: a passing candidate exists');
  return {
    status: 'verified',
    winner: { index: best.index, durationMs: best.result.durationMs },
    reason: `candidate ${best.index} passed the harness in ${Math.round(best.result.durationMs)} ms`,
  };
}
