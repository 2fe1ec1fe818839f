import type { NotificationAttempt } from '../../../domain/types.js';
import { publishSessionEvent } from '../../../use-cases/session-events.js';
import { type DeliveryDeps, loadDelivering, saveDelivery } from '../delivery.js';
import { EvaluatorNotAcceptedError, NotifyDeadlineError } from '../delivery-errors.js';

/** Attempts kept on the round: 1 + 2 + 4 + … s reaches past any 10-minute deadline within 10. */
const MAX_KEPT_ATTEMPTS = 20;
const MAX_ERROR_CHARS = 200;

/**
 * One POST of the round's result to the evaluator's `evaluation_url`. Only a 200 delivers it. Every
 * attempt is kept on the round (time, status, latency). On anything else the attempt throws: an
 * EvaluatorNotAccepted, which the state machine retries after 1, 2, 4, 8 … s, while the next retry
 * still lands before the deadline (10 minutes from the request); after that a NotifyDeadlinePassed,
 * which it does not.
 */
export async function notifyEvaluator(
  deps: DeliveryDeps,
  input: { sessionId: string },
): Promise<{ notified: true; attempts: number }> {
  const current = await loadDelivering(deps.store, input.sessionId);
  const { meta, delivery } = current;
  if (delivery.notifiedAt) return { notified: true, attempts: delivery.notifications.length };
  const publication = delivery.publication;
  if (!publication) throw new Error(`task session ${input.sessionId} has not been published`);
  const clock = deps.now ?? Date.now;
  const body = {
    email: meta.task.email,
    task: meta.task.task,
    round: meta.task.round,
    nonce: meta.task.nonce,
    repo_url: publication.repoUrl,
    commit_sha: publication.commitSha,
    pages_url: publication.pagesUrl,
  };
  const startedAt = clock();
  let attempt: NotificationAttempt;
  try {
    const answer = await deps.web.postJson(meta.task.evaluationUrl, body, deps.settings.notifyTimeoutMs);
    attempt = {
      at: new Date(startedAt).toISOString(),
      status: answer.status,
      latencyMs: clock() - startedAt,
      ...(answer.status === 200
        ? {}
        : { error: `HTTP ${answer.status}: ${answer.body.toString('utf8').slice(0, MAX_ERROR_CHARS)}` }),
    };
  } catch (error) {
    attempt = {
      at: new Date(startedAt).toISOString(),
      status: null,
      latencyMs: clock() - startedAt,
      error: `no answer: ${(error as Error).message}`.slice(0, MAX_ERROR_CHARS),
    };
  }
  const notifications = [...delivery.notifications, attempt].slice(-MAX_KEPT_ATTEMPTS);
  const count = delivery.notifications.length + 1;
  if (attempt.status === 200) {
    await saveDelivery(deps.store, current, {
      stage: 'delivered',
      notifications,
      notifiedAt: new Date(clock()).toISOString(),
    });
    await publishSessionEvent(deps, {
      type: 'progress',
      sessionId: input.sessionId,
      stage: 'notifying',
      round: meta.rounds,
      message: `the evaluator accepted the result (attempt ${count})`,
    });
    return { notified: true, attempts: count };
  }
  await saveDelivery(deps.store, current, { notifications });
  // The state machine's retrier waits 1 s after the first failure and doubles each time.
  const nextWaitMs = 1000 * 2 ** (count - 1);
  const said = attempt.status === null ? 'no answer' : `HTTP ${attempt.status}`;
  if (clock() + nextWaitMs > current.notifyBy) {
    throw new NotifyDeadlineError(
      `the evaluator did not accept the result before the deadline: ${count} attempts, the last ${said}`,
    );
  }
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId: input.sessionId,
    stage: 'notifying',
    round: meta.rounds,
    message: `the evaluator answered ${said}; trying again in ${nextWaitMs / 1000} s`,
  });
  throw new EvaluatorNotAcceptedError(`the evaluator answered ${said} (attempt ${count})`);
}
