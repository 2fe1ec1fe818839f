import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import {
  type SearchJob,
  type SearchPatch,
  type SearchState,
  searchJobSchema,
} from '../../shared/domain/search-job.js';
import type { FixProblem, RunResult } from '../../shared/domain/types.js';
import { applyEdits } from '../../shared/kinds/fix/search/program-lines.js';
import { continueSearch, WEAK_SEARCH_NOTE } from '../../shared/kinds/fix/use-cases/continue-search.js';
import { judgeRound } from '../../shared/kinds/fix/use-cases/judge-round.js';
import {
  type PrepareRoundDeps,
  prepareRound,
  type SearchSettings,
} from '../../shared/kinds/fix/use-cases/prepare-round.js';
import type { CandidateSource, GenerateRequest } from '../../shared/ports/candidate-source.js';
import type { PushChannel } from '../../shared/ports/push-channel.js';
import { openDynaliteStore, sessionMeta } from '../support/dynalite-store.js';

/**
 * The repair search as the fix kind's use cases drive it, on a real (dynalite) store: when
 * prepareRound hands the state machine a search job instead of a Map, how continueSearch reports
 * each batch and turns the passing patches into candidates, and the judge's note on a winner it found.
 */

/** A push channel that records each delivery and whom it went to. */
class RecordingPush implements PushChannel {
  readonly sent: Array<{ connectionId: string; event: SessionEvent }> = [];
  async send(connectionId: string, event: SessionEvent): Promise<'sent' | 'gone'> {
    this.sent.push({ connectionId, event });
    return 'sent';
  }
  progress() {
    return this.sent.flatMap(({ event }) => (event.type === 'progress' ? [event] : []));
  }
}

/** A candidate source that proposes, per round, the programs it was scripted with. */
class ScriptedSource implements CandidateSource {
  readonly name = 'scripted';
  readonly requests: GenerateRequest[] = [];
  constructor(private readonly rounds: Record<number, string[]> = {}) {}
  async generate(request: GenerateRequest) {
    this.requests.push(request);
    return {
      reproduction: null,
      candidates: (this.rounds[request.round] ?? []).map((code) => ({ code, source: 'scripted' })),
      notes: [],
      calls: [],
    };
  }
}

/** The buggy program every session here fixes: `f` should add `d`, not subtract it. */
const PROGRAM = 'def f(n):\n    d = 2\n    return n - d\n';
const TEST = 'from program import f\nassert f(1) == 3\n';
const TRACEBACK =
  'Traceback (most recent call last):\n  File "reproduce_issue.py", line 2, in <module>\nAssertionError\n';
const SETTINGS: SearchSettings = { maxMutants: 400, timeMs: 30_000, sliceMs: 5_000 };

let dir: string;
let opened: Awaited<ReturnType<typeof openDynaliteStore>>;
let store: DynamoDbSessionStore;
const log = { warn: () => {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'search-use-cases-'));
  opened = await openDynaliteStore(dir, 'search-use-cases', { baseUrl: 'http://127.0.0.1:9' });
  store = opened.store;
});

afterAll(async () => {
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

async function session(id: string, problem: Partial<FixProblem> = {}): Promise<void> {
  const full: FixProblem = { code: PROGRAM, filename: 'program.py', maxRounds: 2, ...problem };
  await store.create(sessionMeta(id, { maxRounds: full.maxRounds }), full);
}

function deps(
  source: CandidateSource,
  push: RecordingPush,
  search: SearchSettings | null = SETTINGS,
): PrepareRoundDeps {
  return { store, source, push, log, ...(search ? { search } : {}) };
}

/** A batch's answer as the sandbox would give it; a state without `stopped` is a search still going on. */
function stateOf(overrides: Partial<SearchState> = {}): SearchState {
  return {
    ranked: [3, 2],
    typeMismatch: false,
    evidence: 'test',
    caseTimeoutMs: 2_000,
    listed: 10,
    singles: 8,
    offset: 3,
    tried: 3,
    spentMs: 1_200,
    patches: [],
    ...overrides,
  };
}

const failed = (stderr = 'AssertionError'): RunResult => ({
  status: 'failed',
  exitCode: 1,
  durationMs: 12,
  stdout: '',
  stderr,
});
const passed: RunResult = { status: 'passed', exitCode: 0, durationMs: 12, stdout: '', stderr: '' };

/** Line 3 `-` becomes `+`: the one-character fix. */
const PLUS: SearchPatch = {
  operator: 'binary',
  edits: [{ line: 3, text: ['    return n + d\n'] }],
  size: 1,
  order: 2,
};
/** Line 2's constant changed: a single edit, but more characters than PLUS. */
const CONSTANT: SearchPatch = {
  operator: 'constant',
  edits: [{ line: 2, text: ['    d = -2\n'] }],
  size: 3,
  order: 1,
};
/** A pair of edits: the planner listed it first, yet it is the largest change. */
const PAIR: SearchPatch = {
  operator: 'binary+constant',
  edits: [
    { line: 3, text: ['    return n * d\n'] },
    { line: 2, text: ['    d = 3\n'] },
  ],
  size: 2,
  order: 0,
};

/** Runs round 1 up to its search job: a source with nothing to propose, the search settings given. */
async function searchingRoundOne(id: string, push = new RecordingPush()) {
  await session(id, { test: TEST, error: TRACEBACK });
  const prepared = await prepareRound(deps(new ScriptedSource(), push), { sessionId: id, round: 1 });
  if (!prepared.search) throw new Error('round 1 started no search');
  return prepared.search;
}

describe('Use case: prepareRound starts the repair search', () => {
  it('hands round 1 a search job when the source proposed nothing', async () => {
    // Prepare: a subscriber follows the session, so the progress events have someone to reach.
    await session('s-first', { test: TEST, error: TRACEBACK });
    await store.addSubscriber('s-first', 'watcher');
    const push = new RecordingPush();

    // Act
    const prepared = await prepareRound(deps(new ScriptedSource(), push), {
      sessionId: 's-first',
      round: 1,
    });

    // Assess: the job carries everything the sandbox needs inline, and is what the state machine accepts.
    expect(prepared.items).toEqual([]);
    expect(prepared.run).toBeUndefined();
    const job = prepared.search;
    expect(job).toEqual({
      kind: 'repair-search',
      sessionId: 's-first',
      round: 1,
      filename: 'program.py',
      program: { text: PROGRAM },
      test: { text: TEST },
      traceback: TRACEBACK,
      budget: { maxMutants: 400, timeMs: 30_000, sliceMs: 5_000, maxPatches: 3 },
    });
    expect(searchJobSchema.safeParse(job).success).toBe(true);
    // The session says a search is under way, and the subscriber heard it start.
    const meta = await store.getMeta('s-first');
    expect(meta?.search).toEqual({ round: 1, status: 'running', tried: 0, patches: 0 });
    expect(meta).toMatchObject({ status: 'running', rounds: 1, lastIndex: 0 });
    const searching = push.sent.filter(
      ({ event }) => event.type === 'progress' && event.stage === 'searching',
    );
    expect(searching).toHaveLength(1);
    expect(searching[0]?.connectionId).toBe('watcher');
    expect(searching[0]?.event).toMatchObject({ round: 1, provider: 'repair-search' });
    // No Map starts yet: the 'running' event waits for the search's end.
    expect(push.progress().map((event) => event.stage)).not.toContain('running');
    // The baseline is stored now, so the Map after the search has the original program to run.
    const records = await store.listCandidates('s-first');
    expect(records.map(({ index, source, code }) => ({ index, source, code }))).toEqual([
      { index: 0, source: 'original', code: PROGRAM },
    ]);
    expect(await store.getHarness('s-first')).toEqual({ kind: 'test', test: TEST, origin: 'client' });
  });

  it('leaves the test out of the job when the harness only checks that the program runs', async () => {
    // Prepare: no test, no traceback, one round only (so round 1 is the search's only chance).
    await store.create(sessionMeta('s-notest', { maxRounds: 1 }), {
      code: PROGRAM,
      filename: 'program.py',
      maxRounds: 1,
    } satisfies FixProblem);

    // Act
    const prepared = await prepareRound(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-notest',
      round: 1,
    });

    // Assess
    expect(prepared.search).toBeDefined();
    expect(prepared.search && 'test' in prepared.search).toBe(false);
    expect(prepared.search && 'traceback' in prepared.search).toBe(false);
  });

  it('with no test and an error naming no program line, leaves round 1 to the templates and searches in round 2', async () => {
    // Prepare: the last line of an error only; round 2 will have the original run's traceback.
    await session('s-bare-error', { error: "NameError: name 'radius' is not defined" });
    const push = new RecordingPush();

    // Act
    const first = await prepareRound(deps(new ScriptedSource(), push), {
      sessionId: 's-bare-error',
      round: 1,
    });
    await store.saveResult('s-bare-error', 0, failed("NameError: name 'radius' is not defined"));
    await judgeRound({ store, push, log, users: opened.users }, { sessionId: 's-bare-error', round: 1 });
    const second = await prepareRound(deps(new ScriptedSource(), push), {
      sessionId: 's-bare-error',
      round: 2,
    });

    // Assess
    expect(first.search).toBeUndefined();
    expect(first.items.map((item) => item.index)).toEqual([0]);
    expect(second.search?.kind).toBe('repair-search');
  });

  it('with no test, searches in round 1 when the error names a line of the program', async () => {
    await session('s-traced', {
      error:
        'Traceback (most recent call last):\n  File "program.py", line 3, in f\nNameError: name \'x\' is not defined\n',
    });
    const prepared = await prepareRound(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-traced',
      round: 1,
    });
    expect(prepared.search?.traceback).toContain('line 3');
  });

  it('skips the search in round 1 when the source proposed a candidate, and runs it in round 2 beside the new ones', async () => {
    // Prepare
    await session('s-rounds', { test: TEST });
    await store.addSubscriber('s-rounds', 'watcher');
    const push = new RecordingPush();
    const source = new ScriptedSource({
      1: ['def f(n):\n    d = 2\n    return n - d - 0\n'],
      2: ['def f(n):\n    d = 2\n    return d - n\n'],
    });

    // Act: round 1 runs the source's candidate as usual.
    const first = await prepareRound(deps(source, push), { sessionId: 's-rounds', round: 1 });

    // Assess
    expect(first.search).toBeUndefined();
    expect(first.items.map(({ index, role }) => [index, role])).toEqual([
      [0, 'baseline'],
      [1, 'candidate'],
    ]);
    expect((await store.getMeta('s-rounds'))?.search).toBeUndefined();

    // Act: both runs failed, the judge asks for round 2, and the source proposes again.
    await store.saveResult('s-rounds', 0, failed());
    await store.saveResult('s-rounds', 1, failed());
    expect(
      await judgeRound({ store, push, log, users: opened.users }, { sessionId: 's-rounds', round: 1 }),
    ).toMatchObject({
      done: false,
      round: 2,
    });
    const second = await prepareRound(deps(source, push), { sessionId: 's-rounds', round: 2 });

    // Assess: a later round searches whatever the source proposed; its candidates are stored meanwhile.
    expect(second.items).toEqual([]);
    expect(second.search).toMatchObject({ kind: 'repair-search', round: 2, test: { text: TEST } });
    expect(source.requests.map((request) => request.feedback.length)).toEqual([0, 2]);
    const round2 = (await store.listCandidates('s-rounds')).filter((record) => record.round === 2);
    expect(round2.map(({ index, source, code }) => ({ index, source, code }))).toEqual([
      { index: 2, source: 'scripted', code: 'def f(n):\n    d = 2\n    return d - n\n' },
    ]);
    const meta = await store.getMeta('s-rounds');
    expect(meta?.search).toEqual({ round: 2, status: 'running', tried: 0, patches: 0 });
    expect(meta?.lastIndex).toBe(2);
    expect(push.progress().at(-1)).toMatchObject({ stage: 'searching', round: 2 });
    expect(push.progress().at(-1)?.message).toContain('beside 1 candidate');

    // Act: the search ends with nothing found.
    const planned = await continueSearch(deps(source, push), {
      sessionId: 's-rounds',
      round: 2,
      search: second.search as SearchJob,
      state: stateOf({ stopped: 'exhausted', tried: 10, offset: 10 }),
    });

    // Assess: the Map then runs round 2's own candidate (no baseline: round 1 ran it).
    expect(planned.search).toBeUndefined();
    expect(planned.items.map(({ index, role }) => [index, role])).toEqual([[2, 'candidate']]);
  });
});

describe('Use case: prepareRound leaves the search out', () => {
  it('when no search settings are given', async () => {
    // Prepare
    await session('s-nosettings', { test: TEST });

    // Act
    const prepared = await prepareRound(deps(new ScriptedSource(), new RecordingPush(), null), {
      sessionId: 's-nosettings',
      round: 1,
    });

    // Assess: only the baseline runs, as before the search existed.
    expect(prepared.search).toBeUndefined();
    expect(prepared.items.map(({ index, role }) => [index, role])).toEqual([[0, 'baseline']]);
    expect((await store.getMeta('s-nosettings'))?.search).toBeUndefined();
  });

  it('in verify mode, even in a round where no candidate is left to run', async () => {
    // Prepare: the client's own candidate.
    await session('s-verify', { test: TEST, candidates: ['def f(n):\n    return n + 2\n'] });
    const push = new RecordingPush();

    // Act: round 1, then a round 2 a state machine might still ask for (nothing is proposed in it).
    const first = await prepareRound(deps(new ScriptedSource(), push), { sessionId: 's-verify', round: 1 });
    await store.saveResult('s-verify', 0, failed());
    await store.saveResult('s-verify', 1, failed());
    const second = await prepareRound(deps(new ScriptedSource(), push), { sessionId: 's-verify', round: 2 });

    // Assess: round 2 proposed nothing, which would start a search in any other session.
    expect(first.search).toBeUndefined();
    expect(first.items.map(({ index }) => index)).toEqual([0, 1]);
    expect(second.search).toBeUndefined();
    expect(second.items).toEqual([]);
    expect((await store.getMeta('s-verify'))?.search).toBeUndefined();
  });

  it('in a later round once the session already searched', async () => {
    // Prepare: round 1 searched and found nothing; both round-1 runs failed.
    const job = await searchingRoundOne('s-once');
    const source = new ScriptedSource({ 2: ['def f(n):\n    return n + 2\n'] });
    const push = new RecordingPush();
    await continueSearch(deps(source, push), {
      sessionId: 's-once',
      round: 1,
      search: job,
      state: stateOf({ stopped: 'exhausted', tried: 10, offset: 10 }),
    });
    await store.saveResult('s-once', 0, failed());

    // Act
    const second = await prepareRound(deps(source, push), { sessionId: 's-once', round: 2 });

    // Assess: the search runs once a session, so round 2 goes straight to the Map.
    expect(second.search).toBeUndefined();
    expect(second.items.map(({ index, role }) => [index, role])).toEqual([[1, 'candidate']]);
    expect((await store.getMeta('s-once'))?.search).toMatchObject({ round: 1, status: 'done' });
  });
});

describe('Use case: a retried prepareRound while its search runs', () => {
  it('hands the search job back and stores nothing twice', async () => {
    // Prepare
    await session('s-retry', { test: TEST, error: TRACEBACK });
    const source = new ScriptedSource();
    const push = new RecordingPush();
    const first = await prepareRound(deps(source, push), { sessionId: 's-retry', round: 1 });
    const before = await store.getMeta('s-retry');

    // Act: the Controller task is retried after it had started the search.
    const again = await prepareRound(deps(source, push), { sessionId: 's-retry', round: 1 });

    // Assess: the same job, no second generation, no new records, the session unchanged.
    expect(first.search).toBeDefined();
    expect(again).toEqual(first);
    expect(source.requests).toHaveLength(1);
    expect((await store.listCandidates('s-retry')).map((record) => record.index)).toEqual([0]);
    const after = await store.getMeta('s-retry');
    expect(after?.lastIndex).toBe(before?.lastIndex);
    expect(after?.search).toEqual({ round: 1, status: 'running', tried: 0, patches: 0 });
  });
});

describe('Use case: retries inside a write window', () => {
  it('starts the search when the first prepareRound stored the round but never marked it searching', async () => {
    // Prepare: the first call stored the baseline, then failed before its meta update.
    await session('s-window-prepare', { test: TEST, error: TRACEBACK });
    await store.updateMeta('s-window-prepare', { status: 'running', rounds: 1 });
    await store.putCandidates(
      's-window-prepare',
      [{ index: 0, round: 1, source: 'original', code: PROGRAM, diff: '', changedLines: 0 }],
      { kind: 'test', test: TEST, origin: 'client' },
    );

    // Act
    const retried = await prepareRound(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-window-prepare',
      round: 1,
    });

    // Assess: the round's search runs, not a Map of the baseline alone.
    expect(retried.search?.kind).toBe('repair-search');
    expect(retried.items).toEqual([]);
    expect((await store.getMeta('s-window-prepare'))?.search).toMatchObject({ round: 1, status: 'running' });
  });

  it('counts patches a failed continueSearch already stored, and gives later candidates new indices', async () => {
    // Prepare: a continueSearch stored PLUS as candidate 1, then failed before its meta update.
    const job = await searchingRoundOne('s-window-adopt');
    const before = await store.getMeta('s-window-adopt');
    const done = stateOf({ tried: 5, offset: 5, patches: [PLUS], stopped: 'exhausted' });
    await continueSearch(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-window-adopt',
      round: 1,
      search: job,
      state: done,
    });
    await store.updateMeta('s-window-adopt', {
      lastIndex: before?.lastIndex ?? 0,
      notes: before?.notes ?? [],
      ...(before?.search ? { search: before.search } : {}),
    });

    // Act: the Searched task is retried.
    const planned = await continueSearch(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-window-adopt',
      round: 1,
      search: job,
      state: done,
    });

    // Assess: one stored patch, counted as adopted; the next index is above it.
    const meta = await store.getMeta('s-window-adopt');
    expect(meta?.lastIndex).toBe(1);
    expect(meta?.search).toMatchObject({ status: 'done', patches: 1 });
    expect(
      meta?.notes.some((note) => note.includes('1 passed and is a candidate (1: binary edit on line 3)')),
    ).toBe(true);
    expect(planned.items.map((item) => item.index)).toEqual([0, 1]);
  });
});

describe('Use case: continueSearch between batches', () => {
  it('records how far the search got, tells the subscribers, and hands the next batch back', async () => {
    // Prepare
    const job = await searchingRoundOne('s-going');
    await store.addSubscriber('s-going', 'watcher');
    const push = new RecordingPush();
    const state = stateOf({ listed: 10, tried: 3, offset: 3 });

    // Act
    const next = await continueSearch(deps(new ScriptedSource(), push), {
      sessionId: 's-going',
      round: 1,
      search: job,
      state,
    });

    // Assess: the next batch starts where this one stopped; no Map yet.
    expect(next).toEqual({ sessionId: 's-going', round: 1, items: [], search: { ...job, state } });
    expect(searchJobSchema.safeParse(next.search).success).toBe(true);
    expect(push.sent).toEqual([
      {
        connectionId: 'watcher',
        event: expect.objectContaining({
          type: 'progress',
          stage: 'searching',
          round: 1,
          message: 'searching: 3/10 edits, 0 passing so far',
        }),
      },
    ]);
    expect((await store.getMeta('s-going'))?.search).toEqual({
      round: 1,
      status: 'running',
      tried: 3,
      patches: 0,
    });
    expect(await store.listCandidates('s-going')).toHaveLength(1);
  });

  it('counts the edits against the mutant budget when the planner listed more', async () => {
    // Prepare: a budget of 5 mutants, a planner that listed 10.
    await session('s-budget', { test: TEST });
    await store.addSubscriber('s-budget', 'watcher');
    const push = new RecordingPush();
    const prepared = await prepareRound(
      deps(new ScriptedSource(), push, { maxMutants: 5, timeMs: 30_000, sliceMs: 5_000 }),
      { sessionId: 's-budget', round: 1 },
    );

    // Act
    await continueSearch(deps(new ScriptedSource(), push), {
      sessionId: 's-budget',
      round: 1,
      search: prepared.search as SearchJob,
      state: stateOf({ listed: 10, tried: 2, offset: 2, patches: [PLUS] }),
    });

    // Assess
    expect(push.progress().at(-1)?.message).toBe('searching: 2/5 edits, 1 passing so far');
    expect((await store.getMeta('s-budget'))?.search).toMatchObject({ tried: 2, patches: 1 });
  });
});

describe('Use case: continueSearch when the search ends', () => {
  it('stores the patches as candidates, smallest first, and plans the round with them', async () => {
    // Prepare: the planner's order puts the pair first; smallest first puts it last.
    const job = await searchingRoundOne('s-done');
    await store.addSubscriber('s-done', 'watcher');
    const push = new RecordingPush();
    const input = {
      sessionId: 's-done',
      round: 1,
      search: job,
      state: stateOf({
        stopped: 'patches' as const,
        tried: 7,
        offset: 7,
        spentMs: 4_321,
        patches: [PAIR, CONSTANT, PLUS],
      }),
    };

    // Act
    const planned = await continueSearch(deps(new ScriptedSource(), push), input);

    // Assess: each patch applied to the program, titled by its operator and lines.
    const stored = (await store.listCandidates('s-done')).filter((record) => record.index > 0);
    expect(
      stored.map(({ index, round, source, title, code }) => ({ index, round, source, title, code })),
    ).toEqual([
      {
        index: 1,
        round: 1,
        source: 'repair-search',
        title: 'binary edit on line 3',
        code: applyEdits(PROGRAM, PLUS.edits),
      },
      {
        index: 2,
        round: 1,
        source: 'repair-search',
        title: 'constant edit on line 2',
        code: applyEdits(PROGRAM, CONSTANT.edits),
      },
      {
        index: 3,
        round: 1,
        source: 'repair-search',
        title: 'binary+constant edit on lines 2 and 3',
        code: applyEdits(PROGRAM, PAIR.edits),
      },
    ]);
    expect(stored[0]?.code).toBe('def f(n):\n    d = 2\n    return n + d\n');
    expect(stored[0]?.diff).toContain('+    return n + d');
    // A changed line counts twice in the diff: its removal and its addition.
    expect(stored.map((record) => record.changedLines)).toEqual([2, 2, 4]);
    // The Map runs the baseline and the three new candidates, their code inline.
    expect(planned.search).toBeUndefined();
    expect(planned.items.map(({ index, role, source }) => [index, role, source])).toEqual([
      [0, 'baseline', 'original'],
      [1, 'candidate', 'repair-search'],
      [2, 'candidate', 'repair-search'],
      [3, 'candidate', 'repair-search'],
    ]);
    expect(planned.items[1]?.code).toEqual({ text: stored[0]?.code });
    expect(planned.run?.harness).toEqual({ kind: 'test', test: { text: TEST } });
    // The session says what the search did.
    const meta = await store.getMeta('s-done');
    expect(meta?.search).toEqual({
      round: 1,
      status: 'done',
      tried: 7,
      patches: 3,
      seconds: 4.3,
      stopped: 'patches',
    });
    expect(meta?.lastIndex).toBe(3);
    const summary = meta?.notes.find((note) => note.startsWith('Repair search: '));
    expect(summary).toBe(
      'Repair search: 7 edits tried in 4.3 s; 3 passed and are candidates (1: binary edit on line 3; 2: constant edit on line 2; 3: binary+constant edit on lines 2 and 3); it stopped because it had found enough passing edits.',
    );
    expect(meta?.notes).not.toContain(WEAK_SEARCH_NOTE);
    expect(push.progress().at(-1)).toMatchObject({
      stage: 'running',
      message: 'running 3 candidates and the original program in sandboxes',
    });

    // Act: the Controller is retried with the same input.
    const again = await continueSearch(deps(new ScriptedSource(), push), input);

    // Assess: the same round, nothing stored twice, no note repeated.
    expect(again.items.map(({ index }) => index)).toEqual([0, 1, 2, 3]);
    expect(await store.listCandidates('s-done')).toHaveLength(4);
    const after = await store.getMeta('s-done');
    expect(after?.lastIndex).toBe(3);
    expect(after?.notes).toEqual(meta?.notes);
    expect(after?.search).toEqual(meta?.search);
  });

  it('notes weak evidence, and adds no patch that repeats a program already run', async () => {
    // Prepare: no test; round 1 ran a scripted candidate and failed, round 2 proposes another and searches.
    const roundOne = 'def f(n):\n    d = 2\n    return n - d - 0\n';
    const roundTwo = 'def f(n):\n    d = 2\n    return d - n\n';
    await session('s-weak', { error: TRACEBACK });
    const source = new ScriptedSource({ 1: [roundOne], 2: [roundTwo] });
    const push = new RecordingPush();
    await prepareRound(deps(source, push), { sessionId: 's-weak', round: 1 });
    await store.saveResult('s-weak', 0, failed());
    await store.saveResult('s-weak', 1, failed());
    const second = await prepareRound(deps(source, push), { sessionId: 's-weak', round: 2 });
    const repeatsRoundOne: SearchPatch = {
      operator: 'constant',
      edits: [{ line: 3, text: ['    return n - d - 0\n'] }],
      size: 4,
      order: 0,
    };
    const repeatsRoundTwo: SearchPatch = {
      operator: 'swap',
      edits: [{ line: 3, text: ['    return d - n\n'] }],
      size: 2,
      order: 1,
    };

    // Act
    const planned = await continueSearch(deps(source, push), {
      sessionId: 's-weak',
      round: 2,
      search: second.search as SearchJob,
      state: stateOf({
        evidence: 'weak',
        stopped: 'exhausted',
        tried: 10,
        offset: 10,
        patches: [repeatsRoundOne, repeatsRoundTwo, PLUS],
      }),
    });

    // Assess: only the new program became a candidate; round 2's Map runs it beside the source's.
    const searched = (await store.listCandidates('s-weak')).filter((r) => r.source === 'repair-search');
    expect(searched.map(({ index, round, code }) => ({ index, round, code }))).toEqual([
      { index: 3, round: 2, code: applyEdits(PROGRAM, PLUS.edits) },
    ]);
    expect(searched[0]?.rationale).toContain('run to exit 0');
    expect(planned.items.map(({ index, source }) => [index, source])).toEqual([
      [2, 'scripted'],
      [3, 'repair-search'],
    ]);
    const meta = await store.getMeta('s-weak');
    expect(meta?.notes).toContain(WEAK_SEARCH_NOTE);
    expect(meta?.search).toMatchObject({ round: 2, status: 'done', patches: 1 });
    expect(meta?.lastIndex).toBe(3);
  });

  it('keeps what earlier batches found when a batch failed', async () => {
    // Prepare: an earlier batch found PLUS; the next batch's sandbox call failed.
    const job = await searchingRoundOne('s-error');
    const earlier = stateOf({ tried: 4, offset: 4, spentMs: 2_000, patches: [PLUS] });

    // Act: the Catch hands the controller the error and the job as the last batch left it.
    const planned = await continueSearch(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-error',
      round: 1,
      search: { ...job, state: earlier },
      error: { Error: 'Sandbox.Timeout', Cause: 'Task timed out after 60 seconds' },
    });

    // Assess: the search failed, yet its patch runs in the Map.
    const meta = await store.getMeta('s-error');
    expect(meta?.search).toMatchObject({ round: 1, status: 'failed', tried: 4, patches: 1 });
    // The notes say it failed, not that it ran out of time.
    expect(meta?.notes.some((note) => note.startsWith('The repair search failed after'))).toBe(true);
    expect(meta?.notes.some((note) => note.includes('its time was up'))).toBe(false);
    expect(planned.items.map(({ index, source }) => [index, source])).toEqual([
      [0, 'original'],
      [1, 'repair-search'],
    ]);
    expect((await store.getCandidate('s-error', 1))?.code).toBe(applyEdits(PROGRAM, PLUS.edits));
  });

  it('says the search failed and proposed nothing when no batch ever answered', async () => {
    // Prepare
    const job = await searchingRoundOne('s-error-first');

    // Act
    const planned = await continueSearch(deps(new ScriptedSource(), new RecordingPush()), {
      sessionId: 's-error-first',
      round: 1,
      search: job,
      error: { Error: 'Lambda.ServiceException', Cause: 'boom' },
    });

    // Assess: the round still runs its baseline.
    const meta = await store.getMeta('s-error-first');
    expect(meta?.search).toEqual({ round: 1, status: 'failed', tried: 0, patches: 0 });
    expect(meta?.notes).toContain('The repair search failed after 0 edits (boom); it proposed nothing.');
    expect(planned.items.map(({ index }) => index)).toEqual([0]);
  });
});

describe('Use case: judgeRound with a winner from the search', () => {
  it('notes that the winner came from the repair search', async () => {
    // Prepare: the search's patch passed, the baseline failed.
    const job = await searchingRoundOne('s-judge');
    const push = new RecordingPush();
    await continueSearch(deps(new ScriptedSource(), push), {
      sessionId: 's-judge',
      round: 1,
      search: job,
      state: stateOf({ stopped: 'patches', patches: [PLUS] }),
    });
    await store.saveResult('s-judge', 0, failed());
    await store.saveResult('s-judge', 1, passed);

    // Act
    const outcome = await judgeRound(
      { store, push, log, users: opened.users },
      { sessionId: 's-judge', round: 1 },
    );

    // Assess
    expect(outcome).toMatchObject({ done: true, status: 'verified' });
    const meta = await store.getMeta('s-judge');
    expect(meta?.winner?.index).toBe(1);
    expect(meta?.notes).toContain(
      'The winner, candidate 1, came from the repair search: binary edit on line 3.',
    );
  });

  it('adds no such note when the winner came from the source', async () => {
    // Prepare: a scripted candidate passes in round 1; no search ran.
    await session('s-judge-source', { test: TEST });
    const push = new RecordingPush();
    await prepareRound(deps(new ScriptedSource({ 1: ['def f(n):\n    return n + 2\n'] }), push), {
      sessionId: 's-judge-source',
      round: 1,
    });
    await store.saveResult('s-judge-source', 0, failed());
    await store.saveResult('s-judge-source', 1, passed);

    // Act
    await judgeRound({ store, push, log, users: opened.users }, { sessionId: 's-judge-source', round: 1 });

    // Assess
    const meta = await store.getMeta('s-judge-source');
    expect(meta?.status).toBe('verified');
    expect(meta?.notes.some((note) => note.includes('came from the repair search'))).toBe(false);
  });
});
