import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import type { FixProblem } from '../../shared/domain/types.js';
import { judgeRound } from '../../shared/kinds/fix/use-cases/judge-round.js';
import { prepareRound } from '../../shared/kinds/fix/use-cases/prepare-round.js';
import type { CandidateSource, GenerateRequest } from '../../shared/ports/candidate-source.js';
import type { PushChannel } from '../../shared/ports/push-channel.js';
import type { SessionStore } from '../../shared/ports/session-store.js';
import { failSession } from '../../shared/use-cases/fail-session.js';
import { reportCandidate } from '../../shared/use-cases/report-candidate.js';
import { publishSessionEvent } from '../../shared/use-cases/session-events.js';
import { openDynaliteStore, sessionMeta } from '../support/dynalite-store.js';

/** A push channel that records deliveries; connections named `gone-*` no longer exist. */
class RecordingPush implements PushChannel {
  readonly sent: Array<{ connectionId: string; event: SessionEvent }> = [];
  async send(connectionId: string, event: SessionEvent): Promise<'sent' | 'gone'> {
    if (connectionId.startsWith('gone-')) return 'gone';
    if (connectionId.startsWith('broken-')) throw new Error('socket reset');
    this.sent.push({ connectionId, event });
    return 'sent';
  }
}

/** A candidate source that proposes fixed programs and remembers what it was asked. */
class ScriptedSource implements CandidateSource {
  readonly name = 'scripted';
  readonly requests: GenerateRequest[] = [];
  constructor(private readonly programs: string[]) {}
  async generate(request: GenerateRequest) {
    this.requests.push(request);
    await request.progress({ stage: 'generating', message: 'thinking', provider: 'scripted', attempt: 1 });
    return {
      reproduction: null,
      candidates: this.programs.map((code) => ({ code, source: 'scripted' })),
      notes: ['scripted note'],
      calls: [],
    };
  }
}

let dir: string;
let opened: Awaited<ReturnType<typeof openDynaliteStore>>;
let store: DynamoDbSessionStore;
const warnings: string[] = [];
const log = { warn: (message: string) => warnings.push(message) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'use-cases-'));
  opened = await openDynaliteStore(dir, 'use-cases', { baseUrl: 'http://127.0.0.1:9' });
  store = opened.store;
});

afterAll(async () => {
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

async function session(id: string, problem: Partial<FixProblem> = {}): Promise<void> {
  const full: FixProblem = { code: 'print(x)\n', filename: 'program.py', maxRounds: 2, ...problem };
  await store.create(sessionMeta(id, { maxRounds: full.maxRounds }), full);
}

describe('Use case: publishSessionEvent', () => {
  it('delivers to every subscriber, unsubscribes gone connections, and survives a broken one', async () => {
    const push = new RecordingPush();
    await session('pub');
    for (const connection of ['a', 'gone-b', 'broken-c']) await store.addSubscriber('pub', connection);
    await publishSessionEvent({ store, push, log }, { type: 'accepted', sessionId: 'pub', status: 'queued' });
    expect(push.sent.map((delivery) => delivery.connectionId)).toEqual(['a']);
    expect((await store.listSubscribers('pub')).sort()).toEqual(['a', 'broken-c']);
    expect(warnings).toContain('push failed');
  });
});

describe('Use case: prepareRound', () => {
  it('stores the baseline and the candidates, streams progress, and is idempotent when retried', async () => {
    await session('prep');
    await store.addSubscriber('prep', 'watcher');
    const push = new RecordingPush();
    const source = new ScriptedSource(['x = 1\nprint(x)\n', 'print(1)\n', 'x = 1\nprint(x)\n']);

    const first = await prepareRound({ store, source, push, log }, { sessionId: 'prep', round: 1 });
    const again = await prepareRound({ store, source, push, log }, { sessionId: 'prep', round: 1 });

    // Generated duplicates are dropped; a retried controller gets the same items and calls nobody.
    expect(first.items.map((item) => [item.index, item.role])).toEqual([
      [0, 'baseline'],
      [1, 'candidate'],
      [2, 'candidate'],
    ]);
    const shape = (round: typeof first) => ({
      run: round.run,
      items: round.items.map(({ index, role, code }) => ({ index, role, code })),
    });
    expect(shape(again)).toEqual(shape(first));
    // Small programs travel inline in the state payload: the sandbox needs no store to read them.
    expect(first.run?.original).toEqual({ text: 'print(x)\n' });
    expect(first.items[1]?.code).toEqual({ text: 'x = 1\nprint(x)\n' });
    expect(source.requests).toHaveLength(1);
    const meta = await store.getMeta('prep');
    expect(meta).toMatchObject({ status: 'running', rounds: 1, lastIndex: 2 });
    expect(meta?.notes).toContain('scripted note');
    expect(await store.getHarness('prep')).toEqual({ kind: 'runs', origin: 'default' });
    const stages = push.sent.map(({ event }) => (event.type === 'progress' ? event.stage : event.type));
    expect(stages).toEqual(['generating', 'running']);
  });

  it('hands over by presigned URL what would not fit the 256 KiB state payload, and stays under it', async () => {
    // Prepare: a 200 KB program and eight 150 KB rewrites, far beyond any state payload inline.
    const big = (n: number) => `value = ${n}\n`.repeat(15_000);
    await session('large', {
      code: big(0),
      test: 'import program\n',
      candidates: [1, 2, 3, 4, 5, 6, 7, 8].map(big),
    });
    const push = new RecordingPush();

    // Act
    const prepared = await prepareRound(
      { store, source: new ScriptedSource([]), push, log },
      { sessionId: 'large', round: 1 },
    );

    // Assess
    expect(Buffer.byteLength(JSON.stringify(prepared))).toBeLessThan(256 * 1024);
    expect(prepared.run?.harness.test).toEqual({ text: 'import program\n' });
    const original = prepared.run?.original;
    expect(original && 'url' in original ? original.bytes : -1).toBe(Buffer.byteLength(big(0)));
    for (const item of prepared.items.slice(1)) {
      const code = item.code;
      if (!code || !('url' in code)) throw new Error(`candidate ${item.index} was not handed by URL`);
      const url = new URL(code.url);
      const key = decodeURIComponent(url.pathname.replace(/^\/artifacts\//, ''));
      expect(
        opened.artifacts.verifyGet(key, url.searchParams.get('expires'), url.searchParams.get('signature')),
      ).toBe(true);
      expect(await opened.artifacts.get(key)).toBe(big(item.index));
      expect(item.logs?.maxBytes).toBeGreaterThan(0);
    }
  });

  it('feeds round 2 the failures of round 1, the baseline traceback included', async () => {
    await session('feedback');
    const push = new RecordingPush();
    const source = new ScriptedSource(['print(2)\n']);
    await prepareRound({ store, source, push, log }, { sessionId: 'feedback', round: 1 });
    const failed = {
      status: 'failed' as const,
      exitCode: 1,
      durationMs: 5,
      stdout: '',
      stderr: 'NameError: x',
    };
    await store.saveResult('feedback', 0, failed);
    await store.saveResult('feedback', 1, { ...failed, stderr: 'ValueError: nope' });

    await prepareRound({ store, source, push, log }, { sessionId: 'feedback', round: 2 });

    expect(source.requests[1]?.feedback.map((f) => [f.index, f.stderrTail])).toEqual([
      [0, 'NameError: x'],
      [1, 'ValueError: nope'],
    ]);
  });
});

describe('Use case: reportCandidate', () => {
  it('records a sandbox crash as the verdict and pushes it', async () => {
    await session('crash');
    await store.putCandidates('crash', [
      { index: 1, round: 1, source: 'client', code: 'x', diff: '', changedLines: 1 },
    ]);
    await store.addSubscriber('crash', 'watcher');
    const push = new RecordingPush();

    const outcome = await reportCandidate(
      { store, push, log },
      {
        item: { sessionId: 'crash', round: 1, index: 1, role: 'candidate' },
        error: { Error: 'Sandbox.Timeout', Cause: '{"errorMessage":"Task timed out after 120 seconds"}' },
      },
    );

    expect(outcome).toEqual({ index: 1, status: 'crashed' });
    const stored = await store.getCandidate('crash', 1);
    expect(stored?.result?.reason).toBe(
      'the sandbox failed: Sandbox.Timeout: Task timed out after 120 seconds',
    );
    expect(push.sent[0]?.event).toMatchObject({
      type: 'candidate',
      index: 1,
      status: 'crashed',
      source: 'client',
    });
  });
});

describe('Use case: judgeRound', () => {
  const run = (status: 'passed' | 'failed') => ({
    status,
    exitCode: status === 'passed' ? 0 : 1,
    durationMs: 10,
    stdout: '',
    stderr: '',
  });

  /** Round 1 as the Map left it: the baseline failed, candidate 1 (from `source`) ended `status`. */
  const failedBaselineAndOne = (sessionId: string, source: string, status: 'passed' | 'failed') =>
    store.putCandidates(sessionId, [
      {
        index: 0,
        round: 1,
        source: 'original',
        code: 'print(x)\n',
        diff: '',
        changedLines: 1,
        result: run('failed'),
      },
      { index: 1, round: 1, source, code: 'print(y)\n', diff: 'd', changedLines: 1, result: run(status) },
    ]);

  it('asks for another round while rounds are left, then ends no_fix', async () => {
    await session('rounds', { maxRounds: 2 });
    await failedBaselineAndOne('rounds', 'offline', 'failed');
    const push = new RecordingPush();
    expect(
      await judgeRound({ store, push, log, users: opened.users }, { sessionId: 'rounds', round: 1 }),
    ).toMatchObject({
      done: false,
      round: 2,
      status: 'running',
    });
    expect(
      await judgeRound({ store, push, log, users: opened.users }, { sessionId: 'rounds', round: 2 }),
    ).toMatchObject({
      done: true,
      status: 'no_fix',
    });
  });

  it('fails the session when the baseline crashed in the sandbox, even though a candidate passed', async () => {
    // Prepare: the baseline's sandbox call was throttled; the Catch hands the reporter the error.
    await session('throttled', { maxRounds: 1, candidates: ['print(y)\n'] });
    await store.putCandidates('throttled', [
      { index: 0, round: 1, source: 'original', code: 'print(x)\n', diff: '', changedLines: 1 },
      {
        index: 1,
        round: 1,
        source: 'client',
        code: 'print(y)\n',
        diff: 'd',
        changedLines: 1,
        result: run('passed'),
      },
    ]);
    const push = new RecordingPush();
    await reportCandidate(
      { store, push, log },
      {
        item: { sessionId: 'throttled', round: 1, index: 0, role: 'baseline' },
        error: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate Exceeded.' },
      },
    );

    // Act
    const outcome = await judgeRound(
      { store, push, log, users: opened.users },
      { sessionId: 'throttled', round: 1 },
    );

    // Assess: a crash is never evidence that the problem reproduces.
    expect(outcome).toMatchObject({ done: true, status: 'failed' });
    const meta = await store.getMeta('throttled');
    expect(meta?.winner).toBeNull();
    expect(meta?.reason).toContain('TooManyRequestsException');
  });

  it('ends verify mode after one round', async () => {
    await session('verify', { maxRounds: 3, candidates: ['print(y)\n'] });
    await failedBaselineAndOne('verify', 'client', 'failed');
    const outcome = await judgeRound(
      { store, push: new RecordingPush(), log, users: opened.users },
      { sessionId: 'verify', round: 1 },
    );
    expect(outcome).toMatchObject({ done: true, status: 'no_fix' });
  });

  it('sends the result to a connection that subscribed between its read and its write', async () => {
    // Prepare: the subscription lands just before the judge writes the verdict.
    await session('late', { candidates: ['print(y)\n'] });
    await store.addSubscriber('late', 'early');
    await failedBaselineAndOne('late', 'client', 'passed');
    const racing: SessionStore = Object.create(store);
    racing.updateMeta = async (...args) => {
      await store.addSubscriber('late', 'late-comer');
      return store.updateMeta(...args);
    };
    const push = new RecordingPush();

    // Act
    await judgeRound({ store: racing, push, log, users: opened.users }, { sessionId: 'late', round: 1 });

    // Assess
    const told = (type: string) =>
      push.sent.filter((sent) => sent.event.type === type).map((sent) => sent.connectionId);
    expect(told('progress')).toEqual(['early']);
    expect(told('result').sort()).toEqual(['early', 'late-comer']);
  });
});

describe('Use case: failSession', () => {
  it('marks a running session failed with the reason, and leaves a finished one alone', async () => {
    await session('fails');
    await failSession(
      { store, push: new RecordingPush(), log, users: opened.users },
      { sessionId: 'fails', reason: 'boom' },
    );
    expect(await store.getMeta('fails')).toMatchObject({ status: 'failed', reason: 'boom' });

    await session('done');
    await store.updateMeta('done', { status: 'verified' });
    await failSession(
      { store, push: new RecordingPush(), log, users: opened.users },
      { sessionId: 'done', reason: 'late' },
    );
    expect((await store.getMeta('done'))?.status).toBe('verified');
  });
});
