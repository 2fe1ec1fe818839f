/** How one site (a candidate, or the baseline) fared against the compiled checks. */
export interface SiteVerdict {
  index: number;
  /** Did the browser run the checks at all (a hung or crashed page ran none to the end). */
  ran: boolean;
  /** Check index → passed, for every compiled check. */
  passed: readonly boolean[];
  consoleErrors: number;
  bytes: number;
}

export interface SiteJudgement {
  status: 'verified' | 'partial' | 'no_fix' | 'not_reproduced' | 'failed';
  winner: { index: number; score: number } | null;
  /** Checks the winner failed (compiled ones), by index into the compiled list. */
  failed: number[];
  reason: string;
}

/**
 * The task kind's judge, under the engine's rule: nothing is called verified unless it ran and passed.
 *
 * 1. The checks must be able to fail: if the baseline (an empty site, or the published files before a
 *    revision) passes every compiled check, they prove nothing (`not_reproduced`).
 * 2. A candidate's score is the checks it passed; the winner has the highest score, then fewer console
 *    errors, then fewer bytes, then the lower index.
 * 3. `verified` only when the winner passed every check and no check was left unverified; otherwise
 *    `partial` with the failed checks listed (the evaluator gives partial credit, so the best site is
 *    still delivered); `no_fix` when no candidate ran at all.
 */
export function judgeSites(
  baseline: SiteVerdict | undefined,
  candidates: readonly SiteVerdict[],
  checks: { compiled: number; unverified: number },
): SiteJudgement {
  if (checks.compiled === 0) {
    return { status: 'failed', winner: null, failed: [], reason: 'no check could be made executable' };
  }
  if (baseline?.ran && baseline.passed.length === checks.compiled && baseline.passed.every(Boolean)) {
    return {
      status: 'not_reproduced',
      winner: null,
      failed: [],
      reason: 'the site before this round already passes every check, so the checks prove nothing',
    };
  }
  const ran = candidates.filter((candidate) => candidate.ran);
  if (ran.length === 0) {
    return { status: 'no_fix', winner: null, failed: [], reason: 'no candidate site could be checked' };
  }
  const score = (site: SiteVerdict) => site.passed.filter(Boolean).length;
  const [best] = [...ran].sort(
    (a, b) =>
      score(b) - score(a) || a.consoleErrors - b.consoleErrors || a.bytes - b.bytes || a.index - b.index,
  );
  if (!best) throw new Error('unreachable: a candidate ran');
  const failed = best.passed.flatMap((ok, index) => (ok ? [] : [index]));
  const all = checks.compiled + checks.unverified;
  if (failed.length === 0 && checks.unverified === 0) {
    return {
      status: 'verified',
      winner: { index: best.index, score: score(best) },
      failed,
      reason: `candidate ${best.index} passed all ${all} checks in a browser`,
    };
  }
  return {
    status: 'partial',
    winner: { index: best.index, score: score(best) },
    failed,
    reason: `candidate ${best.index} passed ${score(best)} of ${all} checks${checks.unverified > 0 ? ` (${checks.unverified} could not be verified)` : ''}`,
  };
}
