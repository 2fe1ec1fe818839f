import { z } from 'zod';
import { InvalidRequestError, UnknownSessionError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { isSessionId } from '../domain/session-id.js';
import { TASK_NAME } from '../domain/task-name.js';
import { TERMINAL_STATUSES } from '../domain/types.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SessionStore } from '../ports/session-store.js';
import { mayAccess } from './session-access.js';
import { resultEventOf } from './session-events.js';

const subscribeSchema = z.object({
  sessionId: z
    .string({ error: 'sessionId is required' })
    .min(1, 'sessionId is required')
    .refine(isSessionId, 'sessionId is not a session id'),
});

/** An evaluator task round can be followed by its own names, as GET /v1/tasks/{task}/rounds/{round} reads it. */
const subscribeTaskSchema = z.object({
  task: z.string({ error: 'task must be a string' }).regex(TASK_NAME, 'task is not a task name'),
  round: z
    .number({ error: 'round must be a number' })
    .int('round must be a whole number')
    .min(1, 'round must be 1 or more'),
});

/**
 * Follows a session from this connection, of any kind: by its id, or a task round by its task and
 * round. A finished one answers with its result at once; a running one with where it stands.
 * Another user's session is answered as an unknown one.
 */
export async function subscribe(
  deps: { store: SessionStore; push: PushChannel },
  connectionId: string,
  fields: Record<string, unknown>,
  principal: Principal,
): Promise<{ sessionId: string }> {
  const sessionId = await subscribedSession(deps.store, fields);
  const before = await deps.store.getMeta(sessionId);
  if (!before || !mayAccess(principal, before)) throw new UnknownSessionError(sessionId);
  // One write: the session as it stands when this connection joined, so no event is missed between.
  const meta = await deps.store.addSubscriber(sessionId, connectionId);
  if (!meta) throw new UnknownSessionError(sessionId);
  if (TERMINAL_STATUSES.includes(meta.status)) {
    await deps.push.send(connectionId, await resultEventOf(deps.store, meta));
  } else {
    await deps.push.send(connectionId, {
      type: 'progress',
      sessionId,
      stage: meta.status === 'queued' ? 'queued' : 'running',
      round: meta.rounds,
      message: `subscribed; the session is ${meta.status}`,
    });
  }
  return { sessionId };
}

/** `{sessionId}` names a session; `{task, round}` a task round, through the round's pointer. */
async function subscribedSession(store: SessionStore, fields: Record<string, unknown>): Promise<string> {
  if (fields.sessionId === undefined && fields.task !== undefined) {
    const parsed = subscribeTaskSchema.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidRequestError(issue?.message ?? 'invalid', String(issue?.path[0] ?? 'task'));
    }
    const sessionId = await store.findTaskRound(parsed.data.task, parsed.data.round);
    if (!sessionId) throw new UnknownSessionError();
    return sessionId;
  }
  const parsed = subscribeSchema.safeParse(fields);
  if (!parsed.success)
    throw new InvalidRequestError(parsed.error.issues[0]?.message ?? 'invalid', 'sessionId');
  return parsed.data.sessionId;
}
