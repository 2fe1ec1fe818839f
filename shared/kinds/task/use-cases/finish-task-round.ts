import { caughtMessage } from '../../../domain/state-error.js';
import { type SessionMeta, type SessionStatus, TERMINAL_STATUSES } from '../../../domain/types.js';
import { publishSessionEvent, resultEventOf } from '../../../use-cases/session-events.js';
import { type DeliveryDeps, loadDelivering, recordedPublication, saveDelivery } from '../delivery.js';

const MAX_REASON_CHARS = 500;

/**
 * The round's last step: it ends with the judge's verdict once the evaluator accepted the result;
 * otherwise `failed`, saying what stopped it (the publish refused, the evaluator never answered 200).
 * The winner, the checks and the publication stay recorded either way, on the session and on the
 * round's record, and the subscribers get the result.
 */
export async function finishTaskRound(
  deps: Pick<DeliveryDeps, 'store' | 'push' | 'log'>,
  input: { sessionId: string; error?: { Error?: string; Cause?: string } },
): Promise<{ sessionId: string; status: SessionStatus }> {
  const current = await loadDelivering(deps.store, input.sessionId);
  const { meta, delivery } = current;
  if (TERMINAL_STATUSES.includes(meta.status)) return { sessionId: meta.sessionId, status: meta.status };
  let status: SessionStatus;
  let reason: string;
  if (delivery.notifiedAt) {
    status = delivery.judged;
    const caveats = [
      delivery.reason,
      delivery.live && delivery.live.status !== 'passed'
        ? `live check: ${delivery.live.passed} of ${delivery.live.total} passed`
        : undefined,
    ].filter((text): text is string => text !== undefined);
    reason = [delivery.judgedReason, ...caveats].join('; ');
  } else if (delivery.publication) {
    status = 'failed';
    reason = `published, but not reported: ${caughtMessage(input.error)}`;
  } else {
    status = 'failed';
    reason = `the site could not be published: ${caughtMessage(input.error)}`;
  }
  reason = reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
  const updated: SessionMeta = await saveDelivery(
    deps.store,
    current,
    { stage: delivery.notifiedAt ? 'delivered' : 'failed', ...(delivery.notifiedAt ? {} : { reason }) },
    { status, reason },
  );
  const publication = delivery.publication;
  await deps.store.recordTaskRound(meta.task.task, meta.task.round, {
    sessionId: meta.sessionId,
    nonce: meta.task.nonce,
    status,
    ...(publication ? { publication: recordedPublication(publication) } : {}),
    ...(delivery.notifiedAt ? { notifiedAt: delivery.notifiedAt } : {}),
  });
  await publishSessionEvent(deps, await resultEventOf(deps.store, updated), updated);
  return { sessionId: meta.sessionId, status };
}
