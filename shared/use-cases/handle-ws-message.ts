import { z } from 'zod';
import { InvalidRequestError, UnknownSessionError } from '../domain/errors.js';
import { parseFixRequest } from '../domain/fix-request.js';
import { isSessionId } from '../domain/session-id.js';
import { TERMINAL_STATUSES } from '../domain/types.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SessionStore } from '../ports/session-store.js';
import type { WorkflowStarter } from '../ports/workflow-starter.js';
import { resultEventOf } from './session-events.js';
import { submitFix } from './submit-fix.js';

const subscribeSchema = z.object({
  sessionId: z
    .string({ error: 'sessionId is required' })
    .min(1, 'sessionId is required')
    .refine(isSessionId, 'sessionId is not a session id'),
});

/** An evaluator task round can be followed by its own names, as GET /v1/tasks/{task}/rounds/{round} reads it. */
const subscribeTaskSchema = z.object({
  task: z
    .string({ error: 'task must be a string' })
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'task is not a task name'),
  round: z
    .number({ error: 'round must be a number' })
    .int('round must be a whole number')
    .min(1, 'round must be 1 or more'),
});

export interface WsMessageDeps {
  store: SessionStore;
  push: PushChannel;
  workflow: WorkflowStarter;
}

/**
 * A message on the WebSocket: `{"action":"fix", …}` starts a session subscribed to this connection;
 * `{"action":"subscribe","sessionId"}` follows an existing one (a finished one answers with its result
 * at once). A message the engine refuses throws a domain error (InvalidRequestError,
 * UnknownSessionError); the edge answers it on the socket.
 */
export async function handleWsMessage(
  deps: WsMessageDeps,
  connectionId: string,
  body: string | undefined,
): Promise<{ sessionId: string }> {
  const message = parseMessage(body);
  const { action, ...fields } = message;
  if (action === 'fix') {
    const problem = parseFixRequest(fields);
    const accepted = await submitFix({ store: deps.store, workflow: deps.workflow }, problem, {
      connectionId,
      onAccepted: async (sessionId) => {
        await deps.push.send(connectionId, { type: 'accepted', sessionId, status: 'queued' });
      },
    });
    return { sessionId: accepted.sessionId };
  }
  if (action === 'subscribe') {
    const sessionId = await subscribedSession(deps.store, fields);
    const meta = await deps.store.getMeta(sessionId);
    if (!meta) throw new UnknownSessionError(sessionId);
    await deps.store.addSubscriber(sessionId, connectionId);
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
  throw new InvalidRequestError('action must be "fix" or "subscribe"', 'action');
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

function parseMessage(body: string | undefined): Record<string, unknown> & { action?: unknown } {
  if (!body) throw new InvalidRequestError('the message must be a JSON object', 'body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new InvalidRequestError('the message is not valid JSON', 'body', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError('the message must be a JSON object', 'body');
  }
  return parsed as Record<string, unknown>;
}
