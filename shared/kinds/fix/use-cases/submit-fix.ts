import { randomUUID } from 'node:crypto';
import { IdempotencyConflictError } from '../../../domain/errors.js';
import { IDEMPOTENCY_WINDOW_MS, problemFingerprint } from '../../../domain/idempotency.js';
import type { Principal } from '../../../domain/principal.js';
import type { QuotaHold } from '../../../domain/quota.js';
import type { FixProblem, SessionMeta, SessionStatus } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import type { WorkflowStarter } from '../../../ports/workflow-starter.js';
import { openSession } from '../../../use-cases/open-session.js';
import { type QuotaDeps, takeSessionQuota } from '../../../use-cases/quota.js';

export interface SubmitFixDeps {
  store: SessionStore;
  workflow: WorkflowStarter;
  /** The owner's daily allowance; without it (no owner) nothing is counted. */
  quota?: QuotaDeps;
}

/**
 * Accepts a validated fix problem.
 *
 * 0. With an idempotency key, bind it to the new session id first: a key already bound to the same
 *    problem answers that session (nothing new is stored or started); to another problem, a conflict.
 *    Keys are the caller's own: the same key from two users names two requests.
 * 1. Take a unit of the owner's daily allowance (QuotaExceededError when none is left), then store
 *    the session (`queued`) with its problem, its owner and the unit it holds.
 * 2. Subscribe the caller's WebSocket connection, when there is one, and acknowledge (`onAccepted`)
 *    before the workflow can push anything, so `accepted` is always the first event.
 * 3. Start the workflow; if it cannot start, the session is marked failed, its unit given back, and
 *    the error rethrown.
 */
export async function submitFix(
  deps: SubmitFixDeps,
  problem: FixProblem,
  caller: {
    connectionId?: string;
    onAccepted?: (sessionId: string) => Promise<void>;
    idempotencyKey?: string;
    /** Who asks: the session is theirs alone, and counts against their allowance. */
    owner?: Principal;
  } = {},
): Promise<{ sessionId: string; status: SessionStatus; replayed?: true }> {
  const { connectionId, idempotencyKey, owner } = caller;
  const sessionId = randomUUID();
  if (idempotencyKey !== undefined) {
    const fingerprint = problemFingerprint(problem);
    const scopedKey = owner === undefined ? idempotencyKey : `${owner.userId}\n${idempotencyKey}`;
    const claim = await deps.store.claimIdempotencyKey(scopedKey, {
      sessionId,
      fingerprint,
      expiresAt: new Date(Date.now() + IDEMPOTENCY_WINDOW_MS).toISOString(),
    });
    if (!claim.claimed) {
      if (claim.fingerprint !== fingerprint) {
        throw new IdempotencyConflictError(
          'this Idempotency-Key was already used for a different request',
          'Idempotency-Key',
        );
      }
      const existing = await deps.store.getMeta(claim.sessionId);
      return { sessionId: claim.sessionId, status: existing?.status ?? 'queued', replayed: true };
    }
  }
  const quota: QuotaHold | undefined =
    owner && deps.quota ? await takeSessionQuota(deps.quota, owner.userId) : undefined;
  const now = new Date().toISOString();
  const meta: SessionMeta = {
    sessionId,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    filename: problem.filename,
    maxRounds: problem.maxRounds,
    rounds: 0,
    lastIndex: 0,
    winner: null,
    notes: [],
    ...(owner === undefined ? {} : { owner: owner.userId }),
    ...(quota === undefined ? {} : { quota }),
    // The connection that asks follows the session from its first write.
    ...(connectionId === undefined ? {} : { ownerConnectionId: connectionId, subscribers: [connectionId] }),
  };
  await openSession(deps, meta, problem, caller.onAccepted ? { onAccepted: caller.onAccepted } : {});
  return { sessionId: meta.sessionId, status: 'queued' };
}
