import type { RoundItem } from '../domain/sandbox-job.js';
import { type RunResult, sandboxCrash } from '../domain/types.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SandboxRunnerKind, SessionStore } from '../ports/session-store.js';
import { type EventLog, publishSessionEvent } from './session-events.js';

/** A Map iteration as it reaches the reporter: its item, and the sandbox's result or the Catch's error. */
export interface ReportedItem {
  item: Pick<RoundItem, 'sessionId' | 'round' | 'index' | 'role' | 'source'>;
  outcome?: { result: RunResult };
  error?: { Error?: string; Cause?: string };
}

const MAX_CAUSE_CHARS = 500;

/**
 * The notifier's use case for one finished item.
 *
 * 1. Store the sandbox's result, or, when the sandbox itself failed (the Catch fired), a crash the
 *    sandbox is to blame for: one candidate never fails the run, and a crash is never evidence.
 * 2. Record the containment the sandbox measured (for GET /health).
 * 3. Push the item's `candidate` event.
 */
export async function reportCandidate(
  deps: {
    store: SessionStore;
    push: PushChannel;
    log: EventLog;
    /** Records the containment the sandbox reported, when it says one. */
    containment?: (runner: SandboxRunnerKind, measured: string) => Promise<void>;
  },
  reported: ReportedItem,
): Promise<{ index: number; status: RunResult['status'] }> {
  const { item } = reported;
  const measured = reported.outcome?.result.containment;
  // A site job's containment is the browser runner's; the two are reported apart, never in turn.
  const runner = reported.outcome?.result.site === undefined ? 'python' : 'browser';
  if (measured !== undefined)
    await deps.containment?.(runner, `${measured.level} (${measured.layers.join(', ')})`);
  const result: RunResult =
    reported.error === undefined && reported.outcome !== undefined
      ? reported.outcome.result
      : sandboxCrash(describeCrash(reported.error));
  await deps.store.saveResult(item.sessionId, item.index, result);
  // The controller named the source in the item; only an item without one costs a read.
  const source = item.source ?? (await deps.store.getSummary(item.sessionId, item.index))?.source;
  await publishSessionEvent(deps, {
    type: 'candidate',
    sessionId: item.sessionId,
    round: item.round,
    index: item.index,
    role: item.index === 0 ? 'baseline' : 'candidate',
    source: source ?? 'unknown',
    status: result.status,
    durationMs: result.durationMs,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
  });
  return { index: item.index, status: result.status };
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
