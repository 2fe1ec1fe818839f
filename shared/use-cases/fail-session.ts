import { TERMINAL_STATUSES } from '../domain/types.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SessionStore } from '../ports/session-store.js';
import type { UserStore } from '../ports/user-store.js';
import { settleQuota } from './quota.js';
import { type EventLog, publishSessionEvent } from './session-events.js';

const MAX_REASON_CHARS = 500;

/**
 * Marks a session failed with a reason, gives its owner's unit of quota back, and tells its
 * subscribers; a finished session is left as it is.
 */
export async function failSession(
  deps: { store: SessionStore; push: PushChannel; log: EventLog; users: Pick<UserStore, 'returnQuota'> },
  input: { sessionId: string; reason: string },
): Promise<void> {
  const meta = await deps.store.getMeta(input.sessionId);
  if (!meta || TERMINAL_STATUSES.includes(meta.status)) return;
  const reason =
    input.reason.length > MAX_REASON_CHARS ? `${input.reason.slice(0, MAX_REASON_CHARS)}…` : input.reason;
  await settleQuota(deps, meta, 'failed');
  const updated = await deps.store.updateMeta(input.sessionId, { status: 'failed', reason });
  await publishSessionEvent(
    deps,
    {
      type: 'result',
      sessionId: input.sessionId,
      status: 'failed',
      rounds: updated.rounds,
      winner: null,
      notes: updated.notes,
      reason,
    },
    updated,
  );
}
