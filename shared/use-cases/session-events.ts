import type { ResultEvent, SessionEvent } from '../domain/events.js';
import type { SessionMeta } from '../domain/types.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SessionStore } from '../ports/session-store.js';

export interface EventLog {
  warn(message: string, extra?: Record<string, unknown>): void;
}

/**
 * Sends an event to every subscriber of a session. A push never fails the caller: a gone
 * connection is unsubscribed, any other delivery error is logged and skipped.
 *
 * `asOf` is the session as a read or write of the caller's returned it: its subscribers are then
 * the ones told, with no further read. After a write that is exact: a connection that subscribed
 * later read the session as that write left it, in its subscription's answer.
 */
export async function publishSessionEvent(
  deps: { store: SessionStore; push: PushChannel; log: EventLog },
  event: SessionEvent & { sessionId: string },
  asOf?: SessionMeta,
): Promise<void> {
  const subscribers = asOf ? (asOf.subscribers ?? []) : await deps.store.listSubscribers(event.sessionId);
  await Promise.all(
    subscribers.map(async (connectionId) => {
      try {
        const outcome = await deps.push.send(connectionId, event);
        if (outcome === 'gone') await deps.store.removeSubscriber(event.sessionId, connectionId);
      } catch (error) {
        deps.log.warn('push failed', { connectionId, eventType: event.type, error: String(error) });
      }
    }),
  );
}

/** The `result` event of a finished session: its verdict, and the winner's diff read from the winner. */
export async function resultEventOf(store: SessionStore, meta: SessionMeta): Promise<ResultEvent> {
  const winner = meta.winner ? { index: meta.winner.index, durationMs: meta.winner.durationMs } : null;
  const diff = winner ? await store.getDiff(meta.sessionId, winner.index) : null;
  return {
    type: 'result',
    sessionId: meta.sessionId,
    status: meta.status,
    rounds: meta.rounds,
    winner: winner && typeof diff === 'string' ? { ...winner, diff } : winner,
    notes: meta.notes,
    ...(meta.reason === undefined ? {} : { reason: meta.reason }),
    ...(meta.task?.checks ? { checks: countChecks(meta.task.checks) } : {}),
  };
}

function countChecks(checks: ReadonlyArray<{ status: 'passed' | 'failed' | 'unverified' }>) {
  const count = (status: string) => checks.filter((check) => check.status === status).length;
  return { passed: count('passed'), failed: count('failed'), unverified: count('unverified') };
}
