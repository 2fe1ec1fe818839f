import type { SessionMeta, TaskDelivery, TaskRoundMeta } from '../../domain/types.js';
import type { PushChannel } from '../../ports/push-channel.js';
import type { SessionStore } from '../../ports/session-store.js';
import type { WebClient } from '../../ports/web-client.js';
import type { EventLog } from '../../use-cases/session-events.js';
import type { Publisher } from './publisher.js';

export interface DeliveryDeps {
  store: SessionStore;
  push: PushChannel;
  log: EventLog;
  publisher: Publisher;
  web: WebClient;
  settings: {
    /** Waiting (for Pages, for the previous round) stops this long before the deadline. */
    notifyReserveMs: number;
    notifyTimeoutMs: number;
    liveFetchTimeoutMs: number;
  };
  now?: () => number;
}

/** A task session whose judge chose a site: its meta, its round and where its delivery stands. */
export interface Delivering {
  meta: SessionMeta & { task: TaskRoundMeta };
  delivery: TaskDelivery;
  /** When the evaluator must have been notified (ms since the epoch). */
  notifyBy: number;
}

/** Reads a task session that is being delivered; anything else is a broken workflow, said plainly. */
export async function loadDelivering(store: SessionStore, sessionId: string): Promise<Delivering> {
  const meta = await store.getMeta(sessionId);
  if (!meta?.task) throw new Error(`task session ${sessionId} does not exist`);
  const delivery = meta.task.delivery;
  if (!delivery) throw new Error(`task session ${sessionId} has no judged site to deliver`);
  return { meta: meta as Delivering['meta'], delivery, notifyBy: notifyDeadline(meta) };
}

/** The evaluator's deadline of a round: stored at acceptance (older sessions: 10 minutes from creation). */
export function notifyDeadline(meta: SessionMeta): number {
  return Date.parse(meta.task?.notifyBy ?? new Date(Date.parse(meta.createdAt) + 600_000).toISOString());
}

/** Writes the delivery's new state onto the session and returns the updated meta. */
export function saveDelivery(
  store: SessionStore,
  current: Delivering,
  patch: Partial<TaskDelivery>,
  meta: Partial<Pick<SessionMeta, 'status' | 'reason'>> = {},
): Promise<SessionMeta> {
  return store.updateMeta(current.meta.sessionId, {
    ...meta,
    task: { ...current.meta.task, delivery: { ...current.delivery, ...patch } },
  });
}

/** The publication as the round's record keeps it (without when it was published). */
export function recordedPublication(
  publication:
    | NonNullable<TaskDelivery['publication']>
    | Omit<NonNullable<TaskDelivery['publication']>, 'publishedAt'>,
): { owner: string; repo: string; repoUrl: string; commitSha: string; pagesUrl: string } {
  const { owner, repo, repoUrl, commitSha, pagesUrl } = publication;
  return { owner, repo, repoUrl, commitSha, pagesUrl };
}
