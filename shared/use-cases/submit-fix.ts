import { randomUUID } from 'node:crypto';
import type { FixProblem, SessionMeta } from '../domain/types.js';
import type { SessionStore } from '../ports/session-store.js';
import type { WorkflowStarter } from '../ports/workflow-starter.js';

export interface SubmitFixDeps {
  store: SessionStore;
  workflow: WorkflowStarter;
}

/**
 * Accepts a validated fix problem.
 *
 * 1. Store the session (`queued`) with its problem.
 * 2. Subscribe the caller's WebSocket connection, when there is one, and acknowledge (`onAccepted`)
 *    before the workflow can push anything, so `accepted` is always the first event.
 * 3. Start the workflow; if it cannot start, the session is marked failed and the error rethrown.
 */
export async function submitFix(
  deps: SubmitFixDeps,
  problem: FixProblem,
  caller: { connectionId?: string; onAccepted?: (sessionId: string) => Promise<void> } = {},
): Promise<{ sessionId: string; status: 'queued' }> {
  const { connectionId } = caller;
  const now = new Date().toISOString();
  const meta: SessionMeta = {
    sessionId: randomUUID(),
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    filename: problem.filename,
    maxRounds: problem.maxRounds,
    rounds: 0,
    lastIndex: 0,
    winner: null,
    notes: [],
    ...(connectionId === undefined ? {} : { ownerConnectionId: connectionId }),
  };
  await deps.store.create(meta, problem);
  if (connectionId !== undefined) await deps.store.addSubscriber(meta.sessionId, connectionId);
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
