import type { SessionMeta } from '../../../domain/types.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import type { UserStore } from '../../../ports/user-store.js';
import { settleQuota } from '../../../use-cases/quota.js';
import { type EventLog, publishSessionEvent, resultEventOf } from '../../../use-cases/session-events.js';
import { judgeOutput } from '../judge-output.js';
import { storedChecks } from './prepare-transform.js';

/**
 * The notifier's use case after a transform's round.
 *
 * 1. Judge each candidate's measured output against the checks the specification implies (a pure
 *    function; nothing that did not run passes).
 * 2. The fastest passing candidate wins and the job is `verified`; with none, `no_fix`, saying why
 *    the nearest one failed.
 * 3. The owner's unit of quota is kept if verified, else given back; the result is written and pushed.
 */
export async function judgeTransform(
  deps: { store: SessionStore; push: PushChannel; log: EventLog; users: Pick<UserStore, 'returnQuota'> },
  input: { sessionId: string; round: number },
): Promise<{ sessionId: string; round: number; done: true; status: SessionMeta['status'] }> {
  const { sessionId, round } = input;
  const [meta, summaries, checks] = await Promise.all([
    deps.store.getMeta(sessionId),
    deps.store.listSummaries(sessionId),
    storedChecks(deps.store, sessionId),
  ]);
  if (!meta) throw new Error(`transform job ${sessionId} does not exist`);
  await publishSessionEvent(
    deps,
    {
      type: 'progress',
      sessionId,
      stage: 'judging',
      round,
      message: 'checking each output against the specification',
    },
    meta,
  );
  const judged = summaries
    .filter((summary) => summary.index > 0)
    .map((summary) => ({ summary, verdict: judgeOutput(checks, summary.result) }));
  const passing = judged
    .filter(({ verdict }) => verdict.passed)
    .sort((a, b) => (a.summary.result?.durationMs ?? 0) - (b.summary.result?.durationMs ?? 0));
  const best = passing[0];
  const status = best ? 'verified' : 'no_fix';
  const reason = best
    ? `candidate ${best.summary.index} ran and its output passed every check`
    : nearestFailure(judged);
  await settleQuota(deps, meta, status);
  const updated = await deps.store.updateMeta(sessionId, {
    status,
    winner: best ? { index: best.summary.index, durationMs: best.summary.result?.durationMs ?? 0 } : null,
    reason,
  });
  await publishSessionEvent(deps, await resultEventOf(deps.store, updated), updated);
  return { sessionId, round, done: true, status };
}

/** Why nothing passed, in one line: the candidate that passed the most checks, and its first failure. */
function nearestFailure(
  judged: ReadonlyArray<{ summary: { index: number }; verdict: ReturnType<typeof judgeOutput> }>,
): string {
  if (judged.length === 0) return 'no candidate program was written';
  const passedCount = (entry: (typeof judged)[number]) =>
    entry.verdict.checks.filter((check) => check.passed).length;
  const nearest = [...judged].sort((a, b) => passedCount(b) - passedCount(a))[0];
  const failed = nearest?.verdict.checks.find((check) => !check.passed);
  return `no candidate passed every check; the nearest, candidate ${nearest?.summary.index}, failed "${failed?.name}"${failed?.detail ? `: ${failed.detail}` : ''}`;
}
