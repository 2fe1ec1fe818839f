import { InvalidRequestError, UnauthenticatedError } from '../../shared/domain/errors.js';
import { parseJsonText } from '../../shared/domain/request-validation.js';
import { parseFixRequest } from '../../shared/kinds/fix/fix-request.js';
import { submitFix } from '../../shared/kinds/fix/use-cases/submit-fix.js';
import type { PushChannel } from '../../shared/ports/push-channel.js';
import type { SessionStore } from '../../shared/ports/session-store.js';
import type { UserStore } from '../../shared/ports/user-store.js';
import type { WorkflowStarter } from '../../shared/ports/workflow-starter.js';
import type { QuotaDeps } from '../../shared/use-cases/quota.js';
import { subscribe } from '../../shared/use-cases/subscribe.js';

export interface WsMessageDeps {
  store: SessionStore;
  push: PushChannel;
  workflow: WorkflowStarter;
  users: Pick<UserStore, 'connectionPrincipal'>;
  quota: QuotaDeps;
}

/**
 * A message on the WebSocket: `{"action":"fix", …}` starts a session subscribed to this connection;
 * `{"action":"subscribe","sessionId"}` follows an existing one (a finished one answers with its result
 * at once). Every message acts as the user `$connect` bound to the connection. A message the engine
 * refuses throws a domain error (InvalidRequestError, UnknownSessionError); the edge answers it on
 * the socket.
 */
export async function handleWsMessage(
  deps: WsMessageDeps,
  connectionId: string,
  body: string | undefined,
): Promise<{ sessionId: string }> {
  const message = parseMessage(body);
  const { action, ...fields } = message;
  const principal = await deps.users.connectionPrincipal(connectionId);
  if (!principal) throw new UnauthenticatedError('this connection is not signed in: reconnect with a token');
  if (action === 'fix') {
    const problem = parseFixRequest(fields);
    const { store, workflow, quota } = deps;
    const accepted = await submitFix({ store, workflow, quota }, problem, {
      connectionId,
      owner: principal,
      onAccepted: async (sessionId) => {
        await deps.push.send(connectionId, { type: 'accepted', sessionId, status: 'queued' });
      },
    });
    return { sessionId: accepted.sessionId };
  }
  if (action === 'subscribe') return subscribe(deps, connectionId, fields, principal);
  throw new InvalidRequestError('action must be "fix" or "subscribe"', 'action');
}

function parseMessage(body: string | undefined): Record<string, unknown> & { action?: unknown } {
  const parsed = parseJsonText(body, 'the message');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError('the message must be a JSON object', 'body');
  }
  return parsed as Record<string, unknown>;
}
