import { caughtMessage } from '../../../domain/state-error.js';
import type { LiveCheck, RunResult } from '../../../domain/types.js';
import { publishSessionEvent } from '../../../use-cases/session-events.js';
import { type DeliveryDeps, loadDelivering, saveDelivery } from '../delivery.js';

export interface RecordLiveCheckInput {
  sessionId: string;
  mismatched?: string[];
  /** The sandbox's run of the checks on the live bundle. */
  result?: RunResult;
  /** What a Catch caught when the fetch or the run failed. */
  error?: { Error?: string; Cause?: string };
}

/**
 * Keeps what the checks found on the live site beside the sandbox's results: each check's status,
 * the files the pages URL did not serve as committed. A live check that could not run is recorded
 * with its reason; it never holds up the notification.
 */
export async function recordLiveCheck(
  deps: DeliveryDeps,
  input: RecordLiveCheckInput,
): Promise<{ status: LiveCheck['status'] }> {
  const current = await loadDelivering(deps.store, input.sessionId);
  const checkedAt = new Date(deps.now?.() ?? Date.now()).toISOString();
  const mismatched = (input.mismatched ?? []).slice(0, 50);
  const checks = (input.result?.site?.checks ?? []).map((check) => ({ id: check.id, status: check.status }));
  const passed = checks.filter((check) => check.status === 'passed').length;
  const live: LiveCheck = input.result
    ? {
        checkedAt,
        status: input.result.status,
        passed,
        total: checks.length,
        checks,
        mismatched,
        ...(input.result.reason === undefined ? {} : { reason: input.result.reason.slice(0, 300) }),
      }
    : {
        checkedAt,
        status: 'unreachable',
        passed: 0,
        total: 0,
        checks: [],
        mismatched,
        reason: `the live check could not run: ${caughtMessage(input.error)}`.slice(0, 300),
      };
  await saveDelivery(deps.store, current, { stage: 'notifying', live });
  const pagesUrl = current.delivery.publication?.pagesUrl ?? 'the pages URL';
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId: input.sessionId,
    stage: 'verifying-live',
    round: current.meta.rounds,
    message: input.result
      ? `live on ${pagesUrl}: ${passed} of ${checks.length} checks passed${mismatched.length ? `; ${mismatched.length} files not as committed` : ''}`
      : (live.reason ?? 'the live check could not run'),
  });
  return { status: live.status };
}
