import { fitResult, type TransformInvocation } from '../../../domain/sandbox-job.js';
import type { RunResult } from '../../../domain/types.js';
import type { ContentTransfer } from '../../../ports/content-transfer.js';
import type { SandboxRunner } from '../../../ports/sandbox-runner.js';
import type { EventLog } from '../../../use-cases/session-events.js';
import { measureOutput } from '../measure-output.js';
import {
  DTYPES_FILE,
  HARNESS_FILE,
  harnessSource,
  INPUT_FILE,
  OUTPUT_FILE,
  PROGRAM_FILE,
} from '../transform-files.js';

export interface RunTransformItemDeps {
  runner: SandboxRunner;
  transfer: ContentTransfer;
  timeoutMs: number;
  log: EventLog;
  /** The largest output CSV a run may leave (what the output upload takes). */
  maxOutputBytes: number;
}

/**
 * The sandbox's use case for one transform candidate, with nothing but what the invocation hands it.
 *
 * 1. Read the typed table and the candidate's program (inline, or through presigned URLs).
 * 2. Run the trusted harness with the program beside it under the transform policy (its imports
 *    allow-listed before anything runs); the harness loads the table, calls `transform(df)` and
 *    writes the output CSV, which the runner collects.
 * 3. Measure that CSV here, outside the run (columns, rows, missing columns, repeated keys, a
 *    preview), and send it whole up the presigned upload; a lost upload keeps the verdict.
 * 4. Answer the result, without the CSV, cut to fit the state payload.
 */
export async function runTransformItem(
  deps: RunTransformItemDeps,
  { item, run }: TransformInvocation,
): Promise<RunResult> {
  const [table, code, harness] = await Promise.all([
    deps.transfer.read(run.table),
    deps.transfer.read(item.code),
    harnessSource(),
  ]);
  const ran = await deps.runner.run({
    files: { [PROGRAM_FILE]: code, [HARNESS_FILE]: harness, [INPUT_FILE]: table },
    entry: HARNESS_FILE,
    checked: [PROGRAM_FILE],
    kind: 'transform',
    timeoutMs: deps.timeoutMs,
    collect: [
      { name: OUTPUT_FILE, maxBytes: deps.maxOutputBytes },
      { name: DTYPES_FILE, maxBytes: 256 * 1024 },
    ],
  });
  const { collected, collectErrors, ...result } = ran;
  if (
    result.logs &&
    item.logs &&
    (result.logs.stdout !== result.stdout || result.logs.stderr !== result.stderr)
  ) {
    await deps.transfer.upload(item.logs, JSON.stringify(result.logs)).catch((error: unknown) => {
      deps.log.warn('log upload failed', { index: item.index, error: String(error) });
    });
  }
  if (result.status !== 'passed') return fitResult(result);

  const csv = collected?.[OUTPUT_FILE];
  if (csv === undefined) {
    const why =
      collectErrors?.find((error) => error.startsWith(OUTPUT_FILE)) ?? `${OUTPUT_FILE}: not written`;
    return fitResult({
      ...result,
      transform: { ...measureOutput(''), stored: false, error: `the run left no output (${why})` },
    });
  }
  const measured = measureOutput(csv, {
    dtypes: parseDtypes(collected?.[DTYPES_FILE]),
    ...(run.uniqueBy === undefined ? {} : { uniqueBy: run.uniqueBy }),
  });
  let stored = false;
  if (item.output && measured.error === undefined) {
    stored = await deps.transfer.upload(item.output, csv).then(
      () => true,
      (error: unknown) => {
        deps.log.warn('output upload failed', { index: item.index, error: String(error) });
        return false;
      },
    );
  }
  return fitResult({ ...result, transform: { ...measured, stored } });
}

/** The dtypes the harness recorded, for display only (the checks never rest on them). */
function parseDtypes(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return undefined;
  }
}
