import {
  type SearchJob,
  type SearchPatch,
  type SearchState,
  smallestFirst,
} from '../../../domain/search-job.js';
import { caughtMessage } from '../../../domain/state-error.js';
import type { CandidateRecord } from '../../../domain/types.js';
import { TERMINAL_STATUSES } from '../../../domain/types.js';
import { publishSessionEvent } from '../../../use-cases/session-events.js';
import { applyEdits } from '../search/program-lines.js';
import { SEARCH_SOURCE, searchingEvent } from '../search/searching-event.js';
import { diffProgram } from '../unified-diff.js';
import {
  normaliseProgram,
  type PreparedRound,
  type PrepareRoundDeps,
  planInputs,
  runningEvent,
} from './prepare-round.js';

export { SEARCH_SOURCE } from '../search/searching-event.js';

export const WEAK_SEARCH_NOTE =
  'The repair search had no test: it edited only the lines the traceback names, and its only check was that the program runs to exit 0 — weak evidence that the edit is the fix.';

/** What the state machine hands the controller after a search batch: its answer, or its error. */
export interface SearchedInput {
  sessionId: string;
  round: number;
  search: SearchJob;
  state?: SearchState;
  error?: { Error?: string; Cause?: string };
}

/**
 * The controller's use case after each batch of the repair search.
 *
 * 1. A search still going on: record how far it got, tell the subscribers
 *    (`searching: 120/400 edits, 1 passing so far`), and hand the next batch back.
 * 2. A finished (or failed) search: its patches become the round's further candidates, smallest
 *    edit first, each titled with its operator; the notes say how many edits were tried, and how
 *    weak the evidence was without a test. Then the round's items go to the Map as usual.
 * A retried call after the patches were stored only plans the round again.
 */
export async function continueSearch(deps: PrepareRoundDeps, input: SearchedInput): Promise<PreparedRound> {
  const { sessionId, round, search } = input;
  const meta = await deps.store.getMeta(sessionId);
  if (!meta) throw new Error(`session ${sessionId} does not exist`);
  if (TERMINAL_STATUSES.includes(meta.status)) return { sessionId, round, items: [] };
  // A batch that failed keeps what the batches before it found.
  const state = input.state ?? search.state;

  const going = input.state;
  if (meta.search?.status === 'running' && going !== undefined && going.stopped === undefined) {
    const updated = await deps.store.updateMeta(sessionId, {
      search: { ...meta.search, tried: going.tried, patches: going.patches.length },
    });
    await publishSessionEvent(deps, searchingEvent(sessionId, round, progressLine(going, search)), updated);
    return { sessionId, round, items: [], search: { ...search, state: going } };
  }

  const [problem, stored] = await Promise.all([
    deps.store.getProblem(sessionId),
    deps.store.listCandidates(sessionId),
  ]);
  let records: Array<{ index: number; code: string; source: string }> = stored
    .filter((record) => record.round === round)
    .map((record) => {
      if (record.code === null)
        throw new Error(`session ${sessionId}: candidate ${record.index} has expired`);
      return { index: record.index, code: record.code, source: record.source };
    });
  let prepared = meta;
  if (meta.search?.status === 'running') {
    // A retry after the patches were stored finds them among the round's records: they count as
    // adopted, and new indices start above every stored one.
    const kept = stored.filter((record) => record.round === round && record.source === SEARCH_SOURCE);
    const next = Math.max(meta.lastIndex, ...stored.map((record) => record.index)) + 1;
    const fresh = adoptPatches(
      next,
      round,
      problem.code,
      problem.filename,
      state,
      stored.map((r) => r.code),
    );
    if (fresh.length > 0) await deps.store.putCandidates(sessionId, fresh);
    records = [...records, ...fresh];
    const adopted = [...kept, ...fresh];
    prepared = await deps.store.updateMeta(sessionId, {
      lastIndex: next - 1 + fresh.length,
      notes: [...new Set([...meta.notes, ...searchNotes(state, input.error, adopted)])],
      search: {
        round,
        status: input.error === undefined ? 'done' : 'failed',
        tried: state?.tried ?? 0,
        patches: adopted.length,
        ...(state === undefined ? {} : { seconds: Math.round(state.spentMs / 100) / 10 }),
        ...(state?.stopped === undefined ? {} : { stopped: state.stopped }),
      },
    });
  }
  const count = records.filter((record) => record.index > 0).length;
  await publishSessionEvent(deps, runningEvent(sessionId, round, count), prepared);
  const harness = await deps.store.getHarness(sessionId);
  if (!harness || harness.expired) throw new Error(`session ${sessionId} has no harness to run`);
  return planInputs(deps.store, sessionId, round, meta.filename, problem.code, harness, records);
}

/** `searching: 120/400 edits, 1 passing so far` */
export function progressLine(state: SearchState, search: SearchJob): string {
  const planned = Math.min(state.listed, search.budget.maxMutants);
  return `searching: ${state.tried}/${planned} edits, ${state.patches.length} passing so far`;
}

/** The passing patches as candidate records, smallest edit first, none repeating a program already run. */
function adoptPatches(
  firstIndex: number,
  round: number,
  program: string,
  filename: string,
  state: SearchState | undefined,
  known: ReadonlyArray<string | null>,
): CandidateRecord[] {
  const seen = new Set(known.filter((code): code is string => code !== null).map(normaliseProgram));
  seen.add(normaliseProgram(program));
  const ordered = smallestFirst(state?.patches ?? []);
  const records: CandidateRecord[] = [];
  for (const patch of ordered) {
    const code = applyEdits(program, patch.edits);
    if (seen.has(normaliseProgram(code))) continue;
    seen.add(normaliseProgram(code));
    const change = diffProgram(filename, program, code);
    records.push({
      index: firstIndex + records.length,
      round,
      source: SEARCH_SOURCE,
      code,
      title: titleOf(patch),
      rationale: `The repair search's ${patch.operator} operator: the smallest edits it found that made the ${state?.evidence === 'test' ? 'test pass' : 'program run to exit 0'}.`,
      diff: change.diff,
      changedLines: change.changedLines,
    });
  }
  return records;
}

function titleOf(patch: SearchPatch): string {
  const lines = [...new Set(patch.edits.map((edit) => edit.line))].sort((a, b) => a - b);
  return `${patch.operator} edit on line${lines.length === 1 ? '' : 's'} ${lines.join(' and ')}`;
}

const STOPS: Record<NonNullable<SearchState['stopped']>, string> = {
  patches: 'it had found enough passing edits',
  exhausted: 'every edit it could make was tried',
  mutants: 'its budget of edits was spent',
  time: 'its time was up',
  'not-reproduced': 'the harness already passes on the original program: there is nothing to repair',
  'nothing-to-edit': 'no line the failure ran could be edited',
};

function searchNotes(
  state: SearchState | undefined,
  error: SearchedInput['error'],
  adopted: ReadonlyArray<{ index: number; title?: string }>,
): string[] {
  const found =
    adopted.length === 0
      ? 'none passed'
      : `${adopted.length} passed and ${adopted.length === 1 ? 'is a candidate' : 'are candidates'} (${adopted.map((r) => `${r.index}: ${r.title ?? 'an edit'}`).join('; ')})`;
  if (error !== undefined) {
    const tried = state?.tried ?? 0;
    return [
      `The repair search failed after ${tried} edit${tried === 1 ? '' : 's'} (${caughtMessage(error)}); ${adopted.length === 0 ? 'it proposed nothing' : found}.`,
    ];
  }
  if (state === undefined) return [];
  const seconds = (state.spentMs / 1000).toFixed(1);
  const notes = [
    `Repair search: ${state.tried} edit${state.tried === 1 ? '' : 's'} tried in ${seconds} s; ${found}; it stopped because ${state.stopped ? STOPS[state.stopped] : 'its time was up'}.`,
  ];
  if (state.evidence === 'weak' && state.stopped !== 'not-reproduced') notes.push(WEAK_SEARCH_NOTE);
  return notes;
}
