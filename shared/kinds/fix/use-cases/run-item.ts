import { type FixInvocation, fitResult } from '../../../domain/sandbox-job.js';
import type { RunResult } from '../../../domain/types.js';
import type { ContentTransfer } from '../../../ports/content-transfer.js';
import type { SandboxRunner } from '../../../ports/sandbox-runner.js';
import type { EventLog } from '../../../use-cases/session-events.js';
import { HARNESS_FILENAME } from '../fix-request.js';

export interface RunItemDeps {
  runner: SandboxRunner;
  transfer: ContentTransfer;
  timeoutMs: number;
  log: EventLog;
}

/**
 * The sandbox's use case: runs one item (the baseline or a candidate) against the round's harness,
 * with nothing but what the invocation hands it (no store, no credentials).
 *
 * 1. Read the harness, the original and the item's code: inline, or through presigned URLs.
 * 2. Write the program under the client's file name and, for a test harness, reproduce_issue.py next
 *    to it; run the test, or the program itself when the harness is "runs to exit 0". The original
 *    program goes with the job: what it already uses, the policy allows in candidates.
 * 3. Send the full logs up through the presigned upload when the result's copy of them was cut; a
 *    result that holds them whole is their only copy (the notifier stores it as the outputs). A
 *    lost upload never loses the verdict.
 * 4. Answer the result, cut to fit the state payload; the notifier stores it.
 */
export async function runItem(deps: RunItemDeps, { item, run }: FixInvocation): Promise<RunResult> {
  const [test, original, candidate] = await Promise.all([
    run.harness.kind === 'test' && run.harness.test ? deps.transfer.read(run.harness.test) : undefined,
    deps.transfer.read(run.original),
    item.role === 'candidate' && item.code ? deps.transfer.read(item.code) : undefined,
  ]);
  if (run.harness.kind === 'test' && test === undefined)
    throw new Error('the test harness was not handed over');
  if (item.role === 'candidate' && candidate === undefined)
    throw new Error(`candidate ${item.index} has no code`);

  const files: Record<string, string> = { [run.filename]: candidate ?? original };
  if (test !== undefined) files[HARNESS_FILENAME] = test;
  const result = await deps.runner.run({
    files,
    entry: test !== undefined ? HARNESS_FILENAME : run.filename,
    checked: [run.filename],
    timeoutMs: deps.timeoutMs,
    original,
  });

  if (result.logs && item.logs && !holdsWholeLogs(result)) {
    await deps.transfer.upload(item.logs, JSON.stringify(result.logs)).catch((error: unknown) => {
      deps.log.warn('log upload failed', { index: item.index, error: String(error) });
    });
  }
  return fitResult(result);
}

/** Whether the result's streams are the full logs, character for character (nothing cut). */
function holdsWholeLogs(result: RunResult): boolean {
  return result.logs?.stdout === result.stdout && result.logs.stderr === result.stderr;
}
