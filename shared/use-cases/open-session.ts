import type { SessionKind, SessionMeta } from '../domain/types.js';
import type { SessionStore } from '../ports/session-store.js';
import type { WorkflowStarter } from '../ports/workflow-starter.js';
import { type QuotaDeps, settleQuota } from './quota.js';

/**
 * The last steps of accepting a session, for every kind: store it (giving its unit of quota back if
 * it cannot be stored), acknowledge it, then start its kind's workflow; a workflow that cannot start
 * leaves the session failed with its unit given back, and the error rethrown.
 */
export async function openSession(
  deps: { store: SessionStore; workflow: WorkflowStarter; quota?: QuotaDeps },
  meta: SessionMeta,
  problem: object,
  options: { kind?: SessionKind; onAccepted?: (sessionId: string) => Promise<void> } = {},
): Promise<void> {
  try {
    await deps.store.create(meta, problem);
  } catch (error) {
    if (meta.owner && meta.quota && deps.quota)
      await deps.quota.users.returnQuota(meta.owner, meta.quota.day);
    throw error;
  }
  await options.onAccepted?.(meta.sessionId);
  try {
    await (options.kind === undefined
      ? deps.workflow.start(meta.sessionId, 1)
      : deps.workflow.start(meta.sessionId, 1, options.kind));
  } catch (error) {
    if (deps.quota) await settleQuota({ store: deps.store, users: deps.quota.users }, meta, 'failed');
    await deps.store.updateMeta(meta.sessionId, {
      status: 'failed',
      reason: 'the workflow could not be started',
    });
    throw error;
  }
}
