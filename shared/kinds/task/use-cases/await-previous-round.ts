import { TERMINAL_STATUSES } from '../../../domain/types.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { type EventLog, publishSessionEvent } from '../../../use-cases/session-events.js';
import { notifyDeadline } from '../delivery.js';
import { PreviousRoundError } from '../delivery-errors.js';

export interface AwaitPreviousRoundDeps {
  store: SessionStore;
  push: PushChannel;
  log: EventLog;
  /** Waiting gives up this long before the round's deadline. */
  notifyReserveMs: number;
  now?: () => number;
}

/**
 * Rounds of one task run one after another: a revise builds on what the previous round published.
 * Asked before the round's first attempt (and again after each wait of the state machine):
 *
 * 1. A build (round 1), or a session already finished, goes ahead.
 * 2. A revise waits while the previous round is still running, up to its own deadline.
 * 3. A previous round that ended without publishing a site, or never was, cannot be revised: the
 *    PreviousRoundError ends this round with that reason.
 */
export async function awaitPreviousRound(
  deps: AwaitPreviousRoundDeps,
  input: { sessionId: string },
): Promise<{ ready: boolean }> {
  const meta = await deps.store.getMeta(input.sessionId);
  if (!meta?.task) throw new Error(`task session ${input.sessionId} does not exist`);
  if (meta.task.round === 1 || TERMINAL_STATUSES.includes(meta.status)) return { ready: true };
  const { task, round } = meta.task;
  const previous = await deps.store.getTaskRoundRecord(task, round - 1);
  const previousMeta = previous ? await deps.store.getMeta(previous.sessionId) : undefined;
  if (!previous || !previousMeta)
    throw new PreviousRoundError(`task ${task} has no round ${round - 1} to revise`);
  if (TERMINAL_STATUSES.includes(previousMeta.status)) {
    if (previous.publication) return { ready: true };
    throw new PreviousRoundError(
      `round ${round - 1} of ${task} ended ${previousMeta.status} without publishing a site to revise`,
    );
  }
  const now = deps.now?.() ?? Date.now();
  if (now >= notifyDeadline(meta) - deps.notifyReserveMs) {
    throw new PreviousRoundError(`round ${round - 1} of ${task} was still running at this round's deadline`);
  }
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId: input.sessionId,
    stage: 'waiting',
    round: 1,
    message: `waiting for round ${round - 1} of ${task} to finish`,
  });
  return { ready: false };
}
