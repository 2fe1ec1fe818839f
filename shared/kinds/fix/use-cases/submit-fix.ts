import { randomUUID } from 'node:crypto';
import { IdempotencyConflictError } from '../../../domain/errors.js';
import { IDEMPOTENCY_WINDOW_MS, problemFingerprint } from '../../../domain/idempotency.js';
import type { FixProblem, SessionMeta, SessionStatus } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import type { WorkflowStarter } from '../../../ports/workflow-starter.js';

export interface SubmitFixDeps {
  store: SessionStore;
  workflow: WorkflowStarter;
}

/**
 * Accepts a validated fix problem.
 *
 * 0. With an idempotency key, bind it to the new session id first: a key already bound to the same
 *    problem answers that session (nothing new is stored or started); to another problem, a conflict.
 * 1. Store the session (`queued`) with its problem.
 * 2. Subscribe the caller's WebSocket connection, when there is one, and acknowledge (`onAccepted`)
 *    before the workflow can push anything, so `accepted` is always the first event.
 * 3. Start the workflow; if it cannot start, the session is marked failed and the error rethrown.
 */
export async function submitFix(
  deps: SubmitFixDeps,
  problem: FixProblem,
  caller: {
    connectionId?: string;
    onAccepted?: (sessionId: string) => Promise<void>;
    idempotencyKey?: string;
  } = {},
): Promise<{ sessionId: string; status: SessionStatus; replayed?: true }> {
  const { connectionId, idempotencyKey } = caller;
  const sessionId = randomUUID();
  if (idempotencyKey !== undefined) {
    const fingerprint = problemFingerprint(problem);
    const claim = await deps.store.claimIdempotencyKey(idempotencyKey, {
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
    // The connection that asks follows the session from its first write.
    ...(connectionId === undefined ? {} : { ownerConnectionId: connectionId, subscribers: [connectionId] }),
  };
  await deps.store.create(meta, problem);
  await caller.onAccepted?.(meta.sessionId);
  try {
    await deps.workflow.start(meta.sessionId, 1);
  } catch (error) {
    await deps.store.updateMeta(meta.sessionId, {
      status: 'failed',
      reason: 'the workflow could not be started',
    });
    throw error;
  }
  return { sessionId: meta.sessionId, status: 'queued' };
}
