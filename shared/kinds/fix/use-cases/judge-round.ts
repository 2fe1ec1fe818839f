import type { SessionMeta } from '../../../domain/types.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import type { UserStore } from '../../../ports/user-store.js';
import { settleQuota } from '../../../use-cases/quota.js';
import { type EventLog, publishSessionEvent, resultEventOf } from '../../../use-cases/session-events.js';
import { judge } from '../judge.js';
import { SEARCH_SOURCE } from '../search/searching-event.js';

export interface RoundOutcome {
  sessionId: string;
  /** The round the Controller runs next when `done` is false. */
  round: number;
  done: boolean;
  status: SessionMeta['status'];
}

/**
 * The notifier's use case after a round.
 *
 * 1. Judge every candidate run so far against the baseline (the judge is a pure function).
 * 2. A verdict (verified, not reproduced, or a failed baseline) ends the session; so does the last
 *    round, or verify mode, with `no_fix`.
 * 3. Otherwise another round is due: the session stays running and the Controller gets the failures.
 * 4. The result is written; the owner's unit of quota is kept if verified, else given back; the
 *    result is pushed, and the output tells the state machine whether to loop.
 */
export async function judgeRound(
  deps: { store: SessionStore; push: PushChannel; log: EventLog; users: Pick<UserStore, 'returnQuota'> },
  input: { sessionId: string; round: number },
): Promise<RoundOutcome> {
  const { sessionId, round } = input;
  const [meta, records] = await Promise.all([
    deps.store.getMeta(sessionId),
    deps.store.listSummaries(sessionId),
  ]);
  if (!meta) throw new Error(`session ${sessionId} does not exist`);
  await publishSessionEvent(
    deps,
    { type: 'progress', sessionId, stage: 'judging', round, message: 'judging the round' },
    meta,
  );

  const baseline = records.find((record) => record.index === 0)?.result;
  const candidates = records
    .filter((record) => record.index > 0 && record.result !== undefined)
    .map((record) => ({
      index: record.index,
      // biome-ignore lint/style/noNonNullAssertion: filtered above
      result: record.result!,
      changedLines: record.changedLines,
    }));
  const judgement = judge(baseline, candidates);

  // Verify mode runs the client's candidates once: no generated rounds follow.
  const verifyMode = records.some((record) => record.index > 0 && record.source === 'client');
  const roundsLeft = round < meta.maxRounds && !verifyMode;
  if (judgement.status === 'no_fix' && roundsLeft) {
    const retrying = await deps.store.updateMeta(sessionId, { status: 'running', reason: judgement.reason });
    await publishSessionEvent(
      deps,
      {
        type: 'progress',
        sessionId,
        stage: 'retrying',
        round: round + 1,
        message: `${judgement.reason}; starting round ${round + 1} of ${meta.maxRounds} with the failures as feedback`,
      },
      retrying,
    );
    return { sessionId, round: round + 1, done: false, status: 'running' };
  }

  const won = records.find((record) => record.index === judgement.winner?.index);
  await settleQuota(deps, meta, judgement.status);
  const updated = await deps.store.updateMeta(sessionId, {
    status: judgement.status,
    winner: judgement.winner,
    reason: judgement.reason,
    ...(won?.source === SEARCH_SOURCE
      ? {
          notes: [
            ...meta.notes,
            `The winner, candidate ${won.index}, came from the repair search: ${won.title ?? 'an edit'}.`,
          ],
        }
      : {}),
  });
  await publishSessionEvent(deps, await resultEventOf(deps.store, updated), updated);
  return { sessionId, round, done: true, status: updated.status };
}
