import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  IdempotencyConflictError,
  InvalidRequestError,
  SecretRefusedError,
  TooManyRefusalsError,
} from '../../../domain/errors.js';
import { type SessionMeta, TERMINAL_STATUSES } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import type { WorkflowStarter } from '../../../ports/workflow-starter.js';
import { type StoredTask, toStoredTask } from '../task-problem.js';
import { parseTaskRequest } from '../task-request.js';

export interface SubmitTaskDeps {
  store: SessionStore;
  workflow: WorkflowStarter;
  /** The deployment's task secret; undefined when none is configured (every request is refused). */
  secret: string | undefined;
  allowLoopbackCallback: boolean;
  budgetMs: number;
  /** From the request to the evaluator's notification (its contract: 10 minutes). */
  notifyDeadlineMs: number;
  maxAttempts: number;
  rateLimit: { failuresPerWindow: number; windowS: number };
}

export interface AcceptedTask {
  status: 'accepted';
  task: string;
  round: number;
  sessionId: string;
}

/** A task's binding of (task, round, nonce) lasts long enough for any retry of the evaluator's. */
const TASK_IDEMPOTENCY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Accepts an evaluator's task round, before any model is called.
 *
 * 1. A source that has sent too many wrong secrets lately is turned away for the rest of the window,
 *    before its secret is even compared.
 * 2. The secret is compared in constant time; a wrong or missing one is counted against its source.
 * 3. The request is validated (each field named); a revise needs a round this deployment built (or
 *    is building: the workflow waits for it).
 * 4. (task, round, nonce) is bound to one session: the same request again answers the same session,
 *    and nothing is stored or started twice.
 * 5. The session (`queued`) and its problem are stored, the round points at it, the workflow starts.
 */
export async function submitTask(
  deps: SubmitTaskDeps,
  body: unknown,
  source: string,
): Promise<AcceptedTask & { replayed?: true }> {
  const { failuresPerWindow, windowS } = deps.rateLimit;
  if ((await deps.store.countAuthFailures(source, windowS)) >= failuresPerWindow) {
    throw new TooManyRefusalsError('too many refused secrets from this source; try again later');
  }
  const given = typeof body === 'object' && body !== null ? (body as { secret?: unknown }).secret : undefined;
  if (!secretMatches(given, deps.secret)) {
    await deps.store.recordAuthFailure(source, windowS);
    throw new SecretRefusedError(typeof given === 'string' ? 'the secret is wrong' : 'secret is required');
  }
  const { request } = parseTaskRequest(body, { allowLoopbackCallback: deps.allowLoopbackCallback });
  if (request.round > 1) await requireBuiltRound(deps.store, request.task, request.round - 1);

  const stored = toStoredTask(request);
  const fingerprint = createHash('sha256').update(JSON.stringify(stored)).digest('hex');
  const sessionId = randomUUID();
  const accepted: AcceptedTask = { status: 'accepted', task: request.task, round: request.round, sessionId };
  const claim = await deps.store.claimIdempotencyKey(
    `task:${request.task}:${request.round}:${request.nonce}`,
    {
      sessionId,
      fingerprint,
      expiresAt: new Date(Date.now() + TASK_IDEMPOTENCY_MS).toISOString(),
    },
  );
  if (!claim.claimed) {
    if (claim.fingerprint !== fingerprint) {
      throw new IdempotencyConflictError(
        'this task, round and nonce were already sent with another request',
        'nonce',
      );
    }
    return { ...accepted, sessionId: claim.sessionId, replayed: true };
  }

  const now = new Date();
  const meta: SessionMeta = {
    sessionId,
    kind: 'task',
    status: 'queued',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    filename: 'index.html',
    maxRounds: deps.maxAttempts,
    rounds: 0,
    lastIndex: 0,
    winner: null,
    notes: [],
    task: {
      task: request.task,
      round: request.round,
      nonce: request.nonce,
      email: request.email,
      evaluationUrl: request.evaluationUrl,
      deadline: new Date(now.getTime() + Math.min(deps.budgetMs, deps.notifyDeadlineMs)).toISOString(),
      notifyBy: new Date(now.getTime() + deps.notifyDeadlineMs).toISOString(),
    },
  };
  await deps.store.create(meta, stored satisfies StoredTask);
  await deps.store.bindTaskRound(request.task, request.round, sessionId);
  try {
    await deps.workflow.start(sessionId, 1, 'task');
  } catch (error) {
    await deps.store.updateMeta(sessionId, { status: 'failed', reason: 'the workflow could not be started' });
    throw error;
  }
  return accepted;
}

/** Compares without leaking, through time, how much of the secret was right (digests: equal lengths). */
function secretMatches(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || expected === undefined || expected === '') return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A revise starts from what an earlier round built: that round must exist here and, once finished,
 * have published a site. One still running is waited for by the workflow (rounds run in order).
 */
async function requireBuiltRound(store: SessionStore, task: string, round: number): Promise<void> {
  const record = await store.getTaskRoundRecord(task, round);
  const meta = record ? await store.getMeta(record.sessionId) : undefined;
  if (!record || !meta)
    throw new InvalidRequestError(`task ${task} has no round ${round} built here to revise`, 'round');
  if (TERMINAL_STATUSES.includes(meta.status) && !record.publication) {
    throw new InvalidRequestError(`round ${round} of task ${task} published no site to revise`, 'round');
  }
}
