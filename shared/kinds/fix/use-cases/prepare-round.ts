import {
  type Content,
  MAX_INLINE_PIECE_BYTES,
  MAX_INLINE_ROUND_BYTES,
  MAX_LOG_UPLOAD_BYTES,
  type RoundItem,
  type RoundRun,
} from '../../../domain/sandbox-job.js';
import { MAX_SEARCH_TRACEBACK_CHARS, SEARCH_DEFAULTS, type SearchJob } from '../../../domain/search-job.js';
import type {
  CandidateFeedback,
  CandidateProposal,
  CandidateRecord,
  FixProblem,
  Harness,
  SessionMeta,
} from '../../../domain/types.js';
import { TERMINAL_STATUSES } from '../../../domain/types.js';
import type { CandidateSource } from '../../../ports/candidate-source.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { type EventLog, publishSessionEvent } from '../../../use-cases/session-events.js';
import { HARNESS_FILENAME } from '../fix-request.js';
import { parseTraceback } from '../offline/traceback.js';
import { searchingEvent } from '../search/searching-event.js';
import { diffProgram } from '../unified-diff.js';

export interface PreparedRound {
  sessionId: string;
  round: number;
  /** What every item shares; absent when there is nothing to run. */
  run?: RoundRun;
  items: RoundItem[];
  /** Present while the round's repair search runs: the state machine runs it before the Map. */
  search?: SearchJob;
}

/** The repair search's budget (the config's); absent, the search never runs. */
export interface SearchSettings {
  maxMutants: number;
  timeMs: number;
  /** One batch's time: progress is reported between batches. */
  sliceMs: number;
}

/** Presigned URLs outlive any round: the sandbox fetches within its own time limit. */
const URL_EXPIRY_S = 3600;

export interface PrepareRoundDeps {
  store: SessionStore;
  source: CandidateSource;
  push: PushChannel;
  log: EventLog;
  search?: SearchSettings;
}

export const WEAK_EVIDENCE_NOTE =
  'No test was given, so the harness only checks that the program runs to exit 0: weaker evidence than a test that fails on the bug and passes on the fix.';
export const VERIFY_MODE_NOTE =
  'Verify mode: the supplied candidates were run once; no fixes were generated.';

const TAIL_CHARS = 2000;

/**
 * The controller's use case: gets a round's candidates into the store and names the items to run.
 *
 * 1. A round that already has candidates (a retried or resumed task) is returned as it stands.
 * 2. Round 1 fixes the harness: the client's test, else a reproduction written by the source,
 *    else "the program runs to exit 0" (noted as weaker evidence).
 * 3. Candidates come from the client (verify mode, round 1: all run as given) or from the candidate
 *    source, which on later rounds gets the previous failures as feedback; generated duplicates and
 *    no-op copies are dropped.
 * 4. Round 1 also runs the original program (index 0, the baseline) against the harness.
 */
export async function prepareRound(
  deps: PrepareRoundDeps,
  input: { sessionId: string; round: number },
): Promise<PreparedRound> {
  const { sessionId, round } = input;
  const meta = await deps.store.getMeta(sessionId);
  if (!meta) throw new Error(`session ${sessionId} does not exist`);
  if (TERMINAL_STATUSES.includes(meta.status)) return { sessionId, round, items: [] };

  const problem = await deps.store.getProblem(sessionId);
  // Only a round whose preparation began (it set `rounds`) can have candidates already: a retried or
  // resumed one. A first preparation costs no listing.
  const existing =
    meta.rounds >= round
      ? (await deps.store.listCandidates(sessionId)).filter((record) => record.round === round)
      : [];
  if (meta.search?.round === round && meta.search.status === 'running') {
    // A retried Controller whose round's search was under way: the search goes on from the start.
    const harness = await storedHarness(deps.store, sessionId);
    return { sessionId, round, items: [], search: await searchJobFor(deps, meta, problem, round, harness) };
  }
  if (existing.length > 0) {
    const harness = await storedHarness(deps.store, sessionId);
    const existingCount = existing.filter((record) => record.index > 0).length;
    if (searchRuns(deps, meta, problem, round, existingCount)) {
      // The first preparation stored the round but failed before it could start the search.
      const started = await deps.store.updateMeta(sessionId, {
        search: { round, status: 'running', tried: 0, patches: 0 },
      });
      return {
        sessionId,
        round,
        items: [],
        search: await searchJobFor(deps, started, problem, round, harness),
      };
    }
    const pieces = existing.map((record) => {
      if (record.code === null)
        throw new Error(`session ${sessionId}: candidate ${record.index} has expired`);
      return { index: record.index, code: record.code, source: record.source };
    });
    return planInputs(deps.store, sessionId, round, meta.filename, problem.code, harness, pieces);
  }

  // Generation may take a while: the session shows it running that round meanwhile. The client's
  // own candidates need none, so their round is marked by the one write below.
  const generates = !problem.candidates;
  if (generates) await deps.store.updateMeta(sessionId, { status: 'running', rounds: round });

  const generated = await proposeCandidates(deps, meta, problem, round);
  const notes = [...meta.notes];
  const calls = [...(meta.calls ?? []), ...generated.calls];

  const records: CandidateRecord[] = [];
  const harness =
    round === 1
      ? chooseHarness(problem, generated.reproduction, generated.reproductionSource)
      : await storedHarness(deps.store, sessionId);
  if (round === 1) {
    if (harness.kind === 'runs') notes.push(WEAK_EVIDENCE_NOTE);
    if (harness.kind === 'test' && harness.origin !== 'client') {
      notes.push(
        `The ${HARNESS_FILENAME} test was written by ${harness.origin}; it must fail on the original program.`,
      );
    }
    records.push({ index: 0, round, source: 'original', code: problem.code, diff: '', changedLines: 0 });
  }
  if (problem.candidates && round === 1) notes.push(VERIFY_MODE_NOTE);
  notes.push(...generated.notes);

  const seen = new Set<string>([normaliseProgram(problem.code)]);
  let lastIndex = meta.lastIndex;
  for (const proposal of generated.candidates) {
    // A client's candidates are all run, as asked; generated ones that repeat are dropped.
    const key = normaliseProgram(proposal.code);
    if (proposal.source !== 'client' && seen.has(key)) continue;
    seen.add(key);
    lastIndex += 1;
    const change = diffProgram(problem.filename, problem.code, proposal.code);
    records.push({
      ...proposal,
      index: lastIndex,
      round,
      diff: change.diff,
      changedLines: change.changedLines,
      ...(change.fullReplacement ? { fullReplacement: true } : {}),
    });
  }
  await deps.store.putCandidates(sessionId, records, round === 1 ? harness : undefined);
  const count = records.filter((record) => record.index > 0).length;
  const searches = searchRuns(deps, meta, problem, round, count);
  const prepared = await deps.store.updateMeta(sessionId, {
    ...(generates ? {} : { status: 'running' as const, rounds: round }),
    lastIndex,
    notes: [...new Set(notes)],
    calls,
    ...(generated.category ? { category: generated.category } : {}),
    ...(searches ? { search: { round, status: 'running' as const, tried: 0, patches: 0 } } : {}),
  });
  if (searches) {
    const message =
      count === 0
        ? 'no known fix matched: searching small edits of the lines the failure ran'
        : `searching small edits of the lines the failure ran, beside ${count} candidate${count === 1 ? '' : 's'}`;
    await publishSessionEvent(deps, searchingEvent(sessionId, round, message), prepared);
    return {
      sessionId,
      round,
      items: [],
      search: await searchJobFor(deps, prepared, problem, round, harness),
    };
  }
  await publishSessionEvent(deps, runningEvent(sessionId, round, count), prepared);
  return planInputs(deps.store, sessionId, round, meta.filename, problem.code, harness, records);
}

/** The progress event that starts a round's Map. */
export function runningEvent(sessionId: string, round: number, count: number) {
  return {
    type: 'progress' as const,
    sessionId,
    stage: 'running' as const,
    round,
    message: `running ${count} candidate${count === 1 ? '' : 's'}${round === 1 ? ' and the original program' : ''} in sandboxes`,
  };
}

/**
 * Whether this round runs the repair search: once a session, never in verify mode; in a later
 * round whatever the source proposed (the round before failed: the templates' or the model's
 * candidates); in round 1 when the source proposed nothing new. Except: with no test and an error
 * that names no line of the program, round 1 leaves it to round 2 when there is one, whose
 * templates read the original run's own traceback first (a guard they write there beats an edit
 * that only makes the program exit 0).
 */
function searchRuns(
  deps: PrepareRoundDeps,
  meta: SessionMeta,
  problem: FixProblem,
  round: number,
  count: number,
): boolean {
  if (!deps.search || problem.candidates || meta.search !== undefined) return false;
  if (round > 1) return true;
  if (count > 0) return false;
  const traced = problem.error !== undefined && parseTraceback(problem.error, problem.filename)?.programFrame;
  return problem.test !== undefined || Boolean(traced) || meta.maxRounds === 1;
}

/** The search's job: the original program and the round's test, inline while small, else by URL. */
async function searchJobFor(
  deps: PrepareRoundDeps,
  meta: SessionMeta,
  problem: FixProblem,
  round: number,
  harness: Harness,
): Promise<SearchJob> {
  const settings = deps.search ?? SEARCH_DEFAULTS;
  const { sessionId } = meta;
  const hand = async (text: string, presign: () => Promise<string>): Promise<Content> => {
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes <= MAX_INLINE_PIECE_BYTES ? { text } : { url: await presign(), bytes };
  };
  const program = await hand(problem.code, () =>
    deps.store.presignCandidate(sessionId, 0, 'code', URL_EXPIRY_S),
  );
  const test =
    harness.kind === 'test'
      ? await hand(harness.test ?? '', () => deps.store.presignHarness(sessionId, URL_EXPIRY_S))
      : undefined;
  return {
    kind: 'repair-search',
    sessionId,
    round,
    filename: meta.filename,
    program,
    ...(test === undefined ? {} : { test }),
    ...(problem.error?.trim() ? { traceback: problem.error.slice(-MAX_SEARCH_TRACEBACK_CHARS) } : {}),
    budget: {
      maxMutants: settings.maxMutants,
      timeMs: settings.timeMs,
      sliceMs: Math.min(settings.sliceMs, settings.timeMs),
      maxPatches: SEARCH_DEFAULTS.maxPatches,
    },
  };
}

/**
 * The round's state payload: the harness, the original and each candidate inline while they fit the
 * budget (smallest first), the rest as presigned URLs; and a size-capped upload for each run's logs.
 */
export async function planInputs(
  store: SessionStore,
  sessionId: string,
  round: number,
  filename: string,
  original: string,
  harness: Harness,
  records: ReadonlyArray<{ index: number; code: string; source: string }>,
): Promise<PreparedRound> {
  let budget = MAX_INLINE_ROUND_BYTES;
  const handOver = async (text: string, presign: () => Promise<string>): Promise<Content> => {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= MAX_INLINE_PIECE_BYTES && bytes <= budget) {
      budget -= bytes;
      return { text };
    }
    return { url: await presign(), bytes };
  };
  const code = (index: number) => () => store.presignCandidate(sessionId, index, 'code', URL_EXPIRY_S);
  const pieces: Array<{ id: string; text: string; presign: () => Promise<string> }> = [
    { id: 'original', text: original, presign: code(0) },
    ...records
      .filter((record) => record.index > 0)
      .map((record) => ({ id: String(record.index), text: record.code, presign: code(record.index) })),
  ];
  if (harness.kind === 'test') {
    pieces.push({
      id: 'harness',
      text: harness.test ?? '',
      presign: () => store.presignHarness(sessionId, URL_EXPIRY_S),
    });
  }
  // Smallest first, so a single large program never pushes the small ones out of the payload.
  const contents = new Map<string, Content>();
  for (const piece of pieces.sort((a, b) => a.text.length - b.text.length)) {
    contents.set(piece.id, await handOver(piece.text, piece.presign));
  }
  const items = await Promise.all(
    records.map(async (record): Promise<RoundItem> => {
      const handed = contents.get(String(record.index));
      return {
        sessionId,
        round,
        index: record.index,
        role: record.index === 0 ? 'baseline' : 'candidate',
        source: record.source,
        ...(record.index === 0 || handed === undefined ? {} : { code: handed }),
        logs: await store.presignLogUpload(sessionId, record.index, MAX_LOG_UPLOAD_BYTES, URL_EXPIRY_S),
      };
    }),
  );
  const harnessTest = contents.get('harness');
  const originalContent = contents.get('original') ?? { text: original };
  return {
    sessionId,
    round,
    run: {
      filename,
      harness: { kind: harness.kind, ...(harnessTest === undefined ? {} : { test: harnessTest }) },
      original: originalContent,
    },
    items,
  };
}

interface Proposals {
  reproduction: string | null;
  reproductionSource: string;
  candidates: CandidateProposal[];
  notes: string[];
  calls: NonNullable<SessionMeta['calls']>;
  category?: SessionMeta['category'];
}

async function proposeCandidates(
  deps: PrepareRoundDeps,
  meta: SessionMeta,
  problem: FixProblem,
  round: number,
): Promise<Proposals> {
  if (problem.candidates) {
    return {
      reproduction: null,
      reproductionSource: 'client',
      candidates: round === 1 ? problem.candidates.map((code) => ({ code, source: 'client' })) : [],
      notes: [],
      calls: [],
    };
  }
  const feedback = round > 1 ? await collectFeedback(deps.store, meta.sessionId, round - 1) : [];
  const generated = await deps.source.generate({
    sessionId: meta.sessionId,
    round,
    problem,
    feedback,
    budgetSpentMs: (meta.calls ?? []).reduce((total, call) => total + call.latencyMs, 0),
    ...(meta.category ? { category: meta.category } : {}),
    progress: async (event) => {
      await publishSessionEvent(deps, { type: 'progress', sessionId: meta.sessionId, round, ...event });
    },
  });
  const reproductionSource = generated.candidates[0]?.source ?? deps.source.name;
  return { ...generated, reproductionSource };
}

function chooseHarness(problem: FixProblem, reproduction: string | null, source: string): Harness {
  if (problem.test !== undefined) return { kind: 'test', test: problem.test, origin: 'client' };
  if (reproduction !== null && reproduction.trim() !== '')
    return { kind: 'test', test: reproduction, origin: source };
  return { kind: 'runs', origin: 'default' };
}

async function collectFeedback(
  store: SessionStore,
  sessionId: string,
  round: number,
): Promise<CandidateFeedback[]> {
  const records = await store.listCandidates(sessionId);
  return (
    records
      // The baseline's own failure (index 0) is feedback too: it holds the traceback when the client sent none.
      .filter(
        (record) =>
          (record.round === round || record.index === 0) &&
          record.code !== null &&
          record.result &&
          record.result.status !== 'passed',
      )
      .map((record) => ({
        index: record.index,
        code: record.code ?? '',
        status: record.result?.status ?? 'crashed',
        exitCode: record.result?.exitCode ?? null,
        stderrTail: (record.outputs?.stderr ?? '').slice(-TAIL_CHARS),
        stdoutTail: (record.outputs?.stdout ?? '').slice(-TAIL_CHARS),
        ...(record.result?.reason === undefined ? {} : { reason: record.result.reason }),
      }))
  );
}

/** The harness a later round (or a retried one) runs: as stored in round 1, and still there. */
async function storedHarness(store: SessionStore, sessionId: string): Promise<Harness> {
  const harness = await store.getHarness(sessionId);
  if (!harness || harness.expired) throw new Error(`session ${sessionId} has no harness to run`);
  return harness;
}

/** A program as duplicates are told apart: line endings and surrounding blank space aside. */
export function normaliseProgram(code: string): string {
  return code.replace(/\r\n/g, '\n').trim();
}
