import type { RunResult } from '../domain/types.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SessionStore } from '../ports/session-store.js';
import type { RoundItem } from './prepare-round.js';
import { type EventLog, publishSessionEvent } from './session-events.js';

/** A Map item as it reaches the reporter: the sandbox's verdict, or the error the Catch recorded. */
export interface ReportedItem extends RoundItem {
  verdict?: { status: RunResult['status']; durationMs: number };
  error?: { Error?: string; Cause?: string };
}

const MAX_CAUSE_CHARS = 500;

/**
 * Records a sandbox crash as the item's verdict (so one candidate never fails the run) and pushes
 * the item's `candidate` event.
 */
export async function reportCandidate(
  deps: { store: SessionStore; push: PushChannel; log: EventLog },
  item: ReportedItem,
): Promise<{ index: number; status: RunResult['status'] }> {
  if (item.error !== undefined || item.verdict === undefined) {
    const cause = describeCrash(item.error);
    await deps.store.saveResult(item.sessionId, item.index, {
      status: 'crashed',
      crashedBy: 'sandbox',
      exitCode: null,
      durationMs: 0,
      stdout: '',
      stderr: '',
      reason: cause,
    });
  }
  const record = await deps.store.getCandidate(item.sessionId, item.index);
  const result = record?.result;
  const status = result?.status ?? 'crashed';
  await publishSessionEvent(deps, {
    type: 'candidate',
    sessionId: item.sessionId,
    round: item.round,
    index: item.index,
    role: item.index === 0 ? 'baseline' : 'candidate',
    source: record?.source ?? 'unknown',
    status,
    durationMs: result?.durationMs ?? 0,
    ...(result?.reason === undefined ? {} : { reason: result.reason }),
  });
  return { index: item.index, status };
}

function describeCrash(error: ReportedItem['error']): string {
  if (!error) return 'the sandbox returned no verdict';
  let detail = error.Cause ?? '';
  try {
    const parsed = JSON.parse(detail) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') detail = parsed.errorMessage;
  } catch {
    // The cause is not JSON; keep it as text.
  }
  const text = `the sandbox failed: ${error.Error ?? 'error'}${detail ? `: ${detail}` : ''}`;
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
}
