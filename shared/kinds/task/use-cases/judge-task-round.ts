import type { CandidateSummary, CheckVerdict, SessionMeta } from '../../../domain/types.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { type EventLog, publishSessionEvent, resultEventOf } from '../../../use-cases/session-events.js';
import { judgeSites, type SiteVerdict } from '../site-judge.js';
import type { TaskHarness } from '../task-harness.js';
import { HARNESS_ARTIFACT } from './prepare-task-round.js';

export interface TaskRoundOutcome {
  sessionId: string;
  round: number;
  done: boolean;
  /** The judge chose a site: the workflow goes on to publish and report it. */
  publish: boolean;
  status: SessionMeta['status'];
}

export interface JudgeTaskRoundDeps {
  store: SessionStore;
  push: PushChannel;
  log: EventLog;
  /** Another attempt starts only with at least this much of the task's budget left. */
  attemptReserveMs: number;
  now?: () => number;
}

const MAX_WHY_CHARS = 300;
/** Checks are kept on the session item: each text is capped (the harness artifact has them whole). */
const MAX_TEXT_CHARS = 1000;

/**
 * The task's judge after an attempt.
 *
 * 1. Every site checked so far (all attempts) is scored by the checks it passed in the browser; the
 *    judge's rule decides (see judgeSites): checks the baseline already passes prove nothing, and
 *    nothing is verified unless every check ran and passed.
 * 2. When the best site still fails a check, attempts are left and the budget allows another, the
 *    session stays running and the next attempt gets the failed checks as feedback.
 * 3. Otherwise the verdict, the winner and each check's result are written and pushed.
 */
export async function judgeTaskRound(
  deps: JudgeTaskRoundDeps,
  input: { sessionId: string; round: number },
): Promise<TaskRoundOutcome> {
  const { sessionId, round } = input;
  const [meta, summaries, harnessText] = await Promise.all([
    deps.store.getMeta(sessionId),
    deps.store.listSummaries(sessionId),
    deps.store.getArtifact(sessionId, HARNESS_ARTIFACT),
  ]);
  if (!meta?.task) throw new Error(`task session ${sessionId} does not exist`);
  if (harnessText === null) throw new Error(`task session ${sessionId} has no harness`);
  const harness = JSON.parse(harnessText) as TaskHarness;
  await publishSessionEvent(
    deps,
    { type: 'progress', sessionId, stage: 'judging', round, message: 'judging the sites' },
    meta,
  );

  const executable = harness.checks.flatMap((check, index) => (check.js === null ? [] : [String(index)]));
  const verdictOf = (summary: CandidateSummary): SiteVerdict => {
    const result = summary.result;
    const outcomes = new Map((result?.site?.checks ?? []).map((outcome) => [outcome.id, outcome]));
    const ran = result?.site !== undefined && (result.status === 'passed' || result.status === 'failed');
    return {
      index: summary.index,
      ran,
      passed: executable.map((id) => ran && outcomes.get(id)?.status === 'passed'),
      consoleErrors: (result?.site?.consoleErrors.length ?? 0) + (result?.site?.pageErrors.length ?? 0),
      bytes: result?.site?.bytes ?? summary.changedLines,
    };
  };
  const baseline = summaries.find((summary) => summary.index === 0);
  const candidates = summaries.filter((summary) => summary.index > 0 && summary.result !== undefined);
  const judgement = judgeSites(
    baseline?.result ? verdictOf(baseline) : undefined,
    candidates.map(verdictOf),
    { compiled: executable.length, unverified: harness.checks.length - executable.length },
  );
  const best = judgement.winner
    ? candidates.find((summary) => summary.index === judgement.winner?.index)
    : undefined;
  const checks = checkVerdicts(harness, best);
  const task = { ...meta.task, checks };

  const now = deps.now?.() ?? Date.now();
  const timeLeft = Date.parse(meta.task.deadline) - now;
  const worthAnother =
    (judgement.status === 'no_fix' || (judgement.status === 'partial' && judgement.failed.length > 0)) &&
    round < meta.maxRounds &&
    timeLeft >= deps.attemptReserveMs;
  if (worthAnother) {
    const retrying = await deps.store.updateMeta(sessionId, {
      status: 'running',
      reason: judgement.reason,
      task,
    });
    await publishSessionEvent(
      deps,
      {
        type: 'progress',
        sessionId,
        stage: 'retrying',
        round: round + 1,
        message: `${judgement.reason}; attempt ${round + 1} of ${meta.maxRounds} gets the failed checks as feedback`,
      },
      retrying,
    );
    return { sessionId, round: round + 1, done: false, publish: false, status: 'running' };
  }

  const winner =
    judgement.winner && best ? { index: best.index, durationMs: best.result?.durationMs ?? 0 } : null;
  if (winner && (judgement.status === 'verified' || judgement.status === 'partial')) {
    // A chosen site is not the end of the round: it ends once published and reported (delivery).
    const publishing = await deps.store.updateMeta(sessionId, {
      status: 'running',
      winner,
      reason: judgement.reason,
      task: {
        ...task,
        delivery: {
          stage: 'publishing',
          judged: judgement.status,
          judgedReason: judgement.reason,
          judgedAt: new Date(now).toISOString(),
          notifications: [],
        },
      },
    });
    await publishSessionEvent(
      deps,
      {
        type: 'progress',
        sessionId,
        stage: 'publishing',
        round,
        message: `${judgement.reason}; publishing it`,
      },
      publishing,
    );
    return { sessionId, round, done: true, publish: true, status: 'running' };
  }
  const updated = await deps.store.updateMeta(sessionId, {
    status: judgement.status,
    winner,
    reason: judgement.reason,
    task,
  });
  await publishSessionEvent(deps, await resultEventOf(deps.store, updated), updated);
  return { sessionId, round, done: true, publish: false, status: updated.status };
}

/** Each of the evaluator's checks, in its order, as the winning site (or none) fared. */
function checkVerdicts(harness: TaskHarness, best: CandidateSummary | undefined): CheckVerdict[] {
  const outcomes = new Map((best?.result?.site?.checks ?? []).map((outcome) => [outcome.id, outcome]));
  return harness.checks.map((whole, index): CheckVerdict => {
    const check = { ...whole, text: whole.text.slice(0, MAX_TEXT_CHARS) };
    if (check.js === null) {
      return {
        text: check.text,
        how: 'none',
        status: 'unverified',
        why: check.why ?? 'it could not be made executable',
      };
    }
    const outcome = outcomes.get(String(index));
    if (outcome?.status === 'passed') return { text: check.text, how: check.how, status: 'passed' };
    const why =
      outcome === undefined
        ? 'it did not run on the page'
        : outcome.status === 'error'
          ? `it threw: ${outcome.error ?? 'an error'}`
          : `it returned ${outcome.value ?? 'nothing'}, not true`;
    return { text: check.text, how: check.how, status: 'failed', why: why.slice(0, MAX_WHY_CHARS) };
  });
}
