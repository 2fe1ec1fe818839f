import { HARNESS_FILENAME } from '../domain/fix-request.js';
import type { RunResult } from '../domain/types.js';
import type { SandboxRunner } from '../ports/sandbox-runner.js';
import type { SessionStore } from '../ports/session-store.js';
import type { RoundItem } from './prepare-round.js';

export interface RunItemDeps {
  store: SessionStore;
  runner: SandboxRunner;
  timeoutMs: number;
}

/**
 * The sandbox's use case: runs one item (the baseline or a candidate) against the session's harness.
 *
 * 1. Load the harness and the item's code from the store (the state payload carries only references).
 * 2. Write the program under the client's file name and, for a test harness, reproduce_issue.py next
 *    to it; run the test, or the program itself when the harness is "runs to exit 0". The original
 *    program (the baseline, index 0) goes with the job: what it already uses is allowed.
 * 3. Keep the full logs as artifacts and store the capped result; return only the verdict.
 */
export async function runItem(
  deps: RunItemDeps,
  item: RoundItem,
): Promise<{ index: number; status: RunResult['status']; durationMs: number }> {
  const [meta, harness, candidate, baseline] = await Promise.all([
    deps.store.getMeta(item.sessionId),
    deps.store.getHarness(item.sessionId),
    deps.store.getCandidate(item.sessionId, item.index),
    item.index === 0 ? undefined : deps.store.getCandidate(item.sessionId, 0),
  ]);
  if (!meta) throw new Error(`session ${item.sessionId} does not exist`);
  if (!harness) throw new Error(`session ${item.sessionId} has no harness`);
  if (!candidate) throw new Error(`session ${item.sessionId} has no candidate ${item.index}`);

  const files: Record<string, string> = { [meta.filename]: candidate.code };
  if (harness.kind === 'test' && harness.test !== undefined) files[HARNESS_FILENAME] = harness.test;
  const originalRecord = item.index === 0 ? candidate : baseline;
  const original = originalRecord?.source === 'original' ? originalRecord.code : undefined;
  const result = await deps.runner.run({
    files,
    entry: harness.kind === 'test' ? HARNESS_FILENAME : meta.filename,
    checked: [meta.filename],
    timeoutMs: deps.timeoutMs,
    ...(original !== undefined ? { original } : {}),
  });

  const { logs, ...stored } = result;
  if (logs) {
    await Promise.all([
      deps.store.saveLog(item.sessionId, item.index, 'stdout', logs.stdout),
      deps.store.saveLog(item.sessionId, item.index, 'stderr', logs.stderr),
    ]);
  }
  await deps.store.saveResult(item.sessionId, item.index, stored);
  return { index: item.index, status: stored.status, durationMs: stored.durationMs };
}
