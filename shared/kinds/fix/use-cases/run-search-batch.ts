import { availableParallelism } from 'node:os';
import { z } from 'zod';
import {
  MAX_RANKED_LINES,
  type SearchJob,
  type SearchPatch,
  type SearchState,
  searchPatchSchema,
} from '../../../domain/search-job.js';
import type { RunResult } from '../../../domain/types.js';
import type { ContentTransfer } from '../../../ports/content-transfer.js';
import type { SandboxJob, SandboxRunner } from '../../../ports/sandbox-runner.js';
import { HARNESS_FILENAME } from '../fix-request.js';
import { applyEdits } from '../search/program-lines.js';
import {
  PLAN_CONFIG,
  PLAN_SCRIPT,
  type SearchScripts,
  TRACE_CONFIG,
  TRACE_MARKER,
  TRACE_SCRIPT,
} from '../search/search-scripts.js';

export interface SearchBatchDeps {
  runner: SandboxRunner;
  transfer: ContentTransfer;
  scripts: SearchScripts;
  /** Mutants run at once. @default the machine's cores, 1 to 4 */
  concurrency?: number;
  now?: () => number;
}

/** The mutants' own time limit is a few times the localization run's, within these bounds. */
const CASE_TIMEOUT = { min: 1_000, max: 5_000, factor: 4 };
/** The localization run and the planner get at most this long each. */
const TRACE_TIMEOUT_MS = 15_000;
const PLAN_TIMEOUT_MS = 20_000;

/** A case of the localization run, as te_repair_trace.py reports it. */
const traceCaseSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  error: z.string().nullable(),
  frames: z.array(z.number().int()),
  lines: z.array(z.number().int()),
});
type TraceCase = z.infer<typeof traceCaseSchema>;

const planSchema = z.object({
  ranked: z.array(z.number().int()),
  typeMismatch: z.boolean(),
  singles: z.number().int().min(0),
  mutants: z.array(
    z.object({
      edits: z.array(z.tuple([z.number().int(), z.array(z.string())])),
      operator: z.string(),
      size: z.number().int(),
    }),
  ),
});
type Plan = z.infer<typeof planSchema>;

/**
 * The sandbox's use case for the repair search: one batch of it, within the batch's time slice.
 *
 * 1. First batch: the localization run, an ordinary sandbox job of the harness under line tracing
 *    (te_repair_trace.py; without a test, the program's own run and its traceback). A harness that
 *    passes ends the search: there is nothing to repair.
 * 2. The planner (a sandbox job too: it parses untrusted text) lists the edits in the order to try
 *    them; it is deterministic, so each batch lists the same and goes on at its offset.
 * 3. Each mutant runs exactly as a candidate does (same files, policy, limits, containment), a few
 *    at once, until enough pass, the singles run out with a pass, or a budget or the slice ends.
 *    Pairs of edits run only once every single edit failed.
 * The answer is the search's state: the controller reports it and hands back the next batch.
 */
export async function runSearchBatch(deps: SearchBatchDeps, job: SearchJob): Promise<SearchState> {
  const now = deps.now ?? Date.now;
  const started = now();
  const [program, test] = await Promise.all([
    deps.transfer.read(job.program),
    job.test === undefined ? undefined : deps.transfer.read(job.test),
  ]);
  const harness = harnessFiles(job.filename, test);
  const spent = (state: SearchState): SearchState => ({
    ...state,
    spentMs: (job.state?.spentMs ?? 0) + (now() - started),
  });

  const localized = job.state ?? (await localize(deps, job, program, test));
  if (localized.stopped !== undefined) return spent(localized);
  const plan = await runPlanner(deps, {
    program,
    filename: job.filename,
    hasTest: test !== undefined,
    traceback: job.traceback ?? '',
    // The first batch ranks the lines from the localization's cases; later ones reuse its ranking.
    ...('cases' in localized
      ? { cases: localized.cases }
      : { ranked: localized.ranked, typeMismatch: localized.typeMismatch }),
    maxMutants: job.budget.maxMutants,
  });
  let state: SearchState = {
    ...withoutCases(localized),
    ranked: plan.ranked.slice(0, MAX_RANKED_LINES),
    typeMismatch: plan.typeMismatch,
    listed: plan.mutants.length,
    singles: plan.singles,
  };
  if (plan.mutants.length === 0) return spent({ ...state, stopped: 'nothing-to-edit' });

  const sliceEnd = started + Math.min(job.budget.sliceMs, job.budget.timeMs - localized.spentMs);
  const searchEnd = started + job.budget.timeMs - localized.spentMs;
  const limit = Math.min(plan.mutants.length, job.budget.maxMutants);
  const runMutant = async (order: number): Promise<SearchPatch | undefined> => {
    const mutant = plan.mutants[order];
    if (!mutant) return undefined;
    const edits = mutant.edits.map(([line, text]) => ({ line, text }));
    const result = await deps.runner.run({
      ...harness,
      files: { ...harness.files, [job.filename]: applyEdits(program, edits) },
      // The last mutants get what is left of the budget, so the search ends on time.
      timeoutMs: Math.max(100, Math.min(state.caseTimeoutMs, searchEnd - now())),
      original: program,
    });
    if (result.status !== 'passed') return undefined;
    return searchPatchSchema.parse({ operator: mutant.operator, edits, size: mutant.size, order });
  };

  // Singles first; pairs only when every single ran and none passed.
  for (const end of [Math.min(plan.singles, limit), limit]) {
    if (state.offset >= end) continue;
    if (end > plan.singles && state.patches.length > 0) break;
    const ran = await runInOrder(state.offset, end, deps.concurrency ?? defaultConcurrency(), {
      run: runMutant,
      goOn: (found) => state.patches.length + found < job.budget.maxPatches && now() < sliceEnd,
    });
    state = {
      ...state,
      offset: ran.next,
      tried: state.tried + ran.tried,
      patches: [...state.patches, ...ran.found].slice(0, job.budget.maxPatches),
    };
    if (state.offset < end) break;
  }
  return spent({ ...state, ...stopOf(state, job, limit, now() >= searchEnd) });
}

function stopOf(
  state: SearchState,
  job: SearchJob,
  limit: number,
  outOfTime: boolean,
): Pick<SearchState, 'stopped'> {
  if (state.patches.length >= job.budget.maxPatches) return { stopped: 'patches' };
  if (state.offset >= limit) return { stopped: limit < state.listed ? 'mutants' : 'exhausted' };
  if (state.offset >= state.singles && state.patches.length > 0) return { stopped: 'exhausted' };
  if (outOfTime) return { stopped: 'time' };
  return {};
}

/**
 * Runs `run(order)` for order = from…to-1, `width` at a time, taking the next only while `goOn`
 * holds; answers where it stopped (every order below `next` ran) and what passed, in order.
 */
async function runInOrder<T>(
  from: number,
  to: number,
  width: number,
  step: { run: (order: number) => Promise<T | undefined>; goOn: (found: number) => boolean },
): Promise<{ next: number; tried: number; found: T[] }> {
  let next = from;
  const found = new Map<number, T>();
  const worker = async () => {
    while (next < to && step.goOn(found.size)) {
      const order = next;
      next += 1;
      const passed = await step.run(order);
      if (passed !== undefined) found.set(order, passed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, width) }, worker));
  const ordered = [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  return { next, tried: next - from, found: ordered };
}

function defaultConcurrency(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** The job's files and entry as the judge runs a candidate: the test beside the program, or the program. */
function harnessFiles(filename: string, test: string | undefined): Omit<SandboxJob, 'timeoutMs'> {
  return test === undefined
    ? { files: {}, entry: filename, checked: [filename] }
    : { files: { [HARNESS_FILENAME]: test }, entry: HARNESS_FILENAME, checked: [filename] };
}

/** The localization run: the search's state before any mutant ran, and the cases to rank lines by. */
async function localize(
  deps: SearchBatchDeps,
  job: SearchJob,
  program: string,
  test: string | undefined,
): Promise<SearchState & { cases?: TraceCase[] }> {
  const files: Record<string, string> = { [job.filename]: program };
  // Within the search's own budget: a program that hangs must not hold the search past it.
  const timeoutMs = Math.min(TRACE_TIMEOUT_MS, job.budget.timeMs);
  const run: SandboxJob =
    test === undefined
      ? {
          files,
          entry: job.filename,
          checked: [job.filename],
          timeoutMs,
          original: program,
        }
      : {
          files: {
            ...files,
            [HARNESS_FILENAME]: test,
            [TRACE_SCRIPT]: deps.scripts.trace,
            [TRACE_CONFIG]: JSON.stringify({ entry: HARNESS_FILENAME, program: job.filename }),
          },
          entry: TRACE_SCRIPT,
          checked: [job.filename],
          timeoutMs,
          original: program,
        };
  const result = await deps.runner.run(run);
  const cases = (test === undefined ? undefined : traceReport(result)) ?? [plainCase(result, job.filename)];
  // The judge runs the harness's module body; a failure only a `test_*` function shows is not one it sees.
  const reproduced = cases[0]?.passed === false;
  const state: SearchState = {
    ranked: [],
    typeMismatch: false,
    evidence: test === undefined ? 'weak' : 'test',
    caseTimeoutMs: Math.round(
      Math.min(CASE_TIMEOUT.max, Math.max(CASE_TIMEOUT.min, CASE_TIMEOUT.factor * result.durationMs)),
    ),
    listed: 0,
    singles: 0,
    offset: 0,
    tried: 0,
    spentMs: 0,
    patches: [],
  };
  return reproduced ? { ...state, cases } : { ...state, stopped: 'not-reproduced' };
}

function withoutCases(state: SearchState & { cases?: TraceCase[] }): SearchState {
  const { cases: _cases, ...rest } = state;
  return rest;
}

async function runPlanner(deps: SearchBatchDeps, request: Record<string, unknown>): Promise<Plan> {
  const result = await deps.runner.run({
    files: { [PLAN_SCRIPT]: deps.scripts.plan, [PLAN_CONFIG]: JSON.stringify(request) },
    entry: PLAN_SCRIPT,
    checked: [],
    timeoutMs: PLAN_TIMEOUT_MS,
  });
  const out = lastLine(wholeStdout(result), '');
  if (result.status !== 'passed' || out === undefined)
    throw new Error(`the repair planner did not answer: ${result.reason ?? result.status}`);
  return planSchema.parse(JSON.parse(out));
}

/** The trace report on the last line that carries the marker; undefined when the run left none. */
function traceReport(result: RunResult): TraceCase[] | undefined {
  const line = lastLine(wholeStdout(result), TRACE_MARKER);
  if (line === undefined) return undefined;
  try {
    const parsed = z.object({ cases: z.array(traceCaseSchema).min(1) }).parse(JSON.parse(line));
    return parsed.cases;
  } catch {
    return undefined;
  }
}

const FRAME = /File "([^"]+)", line (\d+)/g;

/** A run without a report, as one case: passed or not, and the program's frames in its traceback. */
function plainCase(result: RunResult, filename: string): TraceCase {
  const stderr = result.logs?.stderr ?? result.stderr;
  const frames = [...stderr.matchAll(FRAME)]
    .filter((match) => (match[1] ?? '').split('/').at(-1) === filename)
    .map((match) => Number(match[2]));
  const last = stderr.trim().split('\n').at(-1) ?? '';
  return { name: '<module>', passed: result.status === 'passed', error: last || null, frames, lines: [] };
}

function wholeStdout(result: RunResult): string {
  return result.logs?.stdout ?? result.stdout;
}

/** The last non-empty line starting with `prefix`, without it. */
function lastLine(text: string, prefix: string): string | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i]?.trim() ?? '';
    if (line !== '' && line.startsWith(prefix)) return line.slice(prefix.length);
  }
  return undefined;
}
