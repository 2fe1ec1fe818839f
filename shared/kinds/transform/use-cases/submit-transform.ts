import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../../domain/errors.js';
import type { Principal } from '../../../domain/principal.js';
import type { QuotaHold } from '../../../domain/quota.js';
import type { SessionMeta, SessionStatus } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import type { WorkflowStarter } from '../../../ports/workflow-starter.js';
import { openSession } from '../../../use-cases/open-session.js';
import { type QuotaDeps, takeSessionQuota } from '../../../use-cases/quota.js';
import type { DatasetStore } from '../dataset-store.js';
import type { TransformProblem } from '../transform-request.js';

export interface SubmitTransformDeps {
  store: SessionStore;
  datasets: Pick<DatasetStore, 'getMeta'>;
  workflow: WorkflowStarter;
  quota?: QuotaDeps;
}

/**
 * Accepts a transform job: a session of kind `transform`, one round.
 *
 * 1. The dataset must be the caller's and not expired (else 404, as for anyone else's).
 * 2. Take a unit of the caller's daily allowance, then store the session (`queued`) with its problem.
 * 3. Start the transform workflow (openSession: a workflow that cannot start fails the session).
 */
export async function submitTransform(
  deps: SubmitTransformDeps,
  problem: TransformProblem,
  owner: Principal,
): Promise<{ jobId: string; status: SessionStatus }> {
  const dataset = await deps.datasets.getMeta(problem.datasetId);
  if (!dataset || dataset.owner !== owner.userId) throw new NotFoundError('no such dataset');
  const quota: QuotaHold | undefined = deps.quota
    ? await takeSessionQuota(deps.quota, owner.userId)
    : undefined;
  const now = new Date().toISOString();
  const meta: SessionMeta = {
    sessionId: randomUUID(),
    kind: 'transform',
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    filename: dataset.filename,
    maxRounds: 1,
    rounds: 0,
    lastIndex: 0,
    winner: null,
    notes: [],
    owner: owner.userId,
    ...(quota === undefined ? {} : { quota }),
  };
  await openSession(deps, meta, problem, { kind: 'transform' });
  return { jobId: meta.sessionId, status: 'queued' };
}
