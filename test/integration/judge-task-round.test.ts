import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import type { CandidateRecord, CheckOutcome, RunResult, SessionMeta } from '../../shared/domain/types.js';
import type { TaskHarness } from '../../shared/kinds/task/task-harness.js';
import { toStoredTask } from '../../shared/kinds/task/task-problem.js';
import { judgeTaskRound } from '../../shared/kinds/task/use-cases/judge-task-round.js';
import { HARNESS_ARTIFACT } from '../../shared/kinds/task/use-cases/prepare-task-round.js';
import { openDynaliteStore } from '../support/dynalite-store.js';
import { RecordingPush } from '../support/recording-push.js';

/*
 * The task kind's judge on the real DynamoDB store (dynalite), with a push channel that records
 * what a subscriber would receive. Sites' browser results are written as the sandbox reports them.
 */

let dir: string;
let opened: Awaited<ReturnType<typeof openDynaliteStore>>;
let store: DynamoDbSessionStore;
const log = { warn: () => {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'judge-task-'));
  opened = await openDynaliteStore(dir, 'judge-task', { baseUrl: 'http://127.0.0.1:9' });
  store = opened.store;
});

afterAll(async () => {
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

const RESERVE_MS = 120_000;
/** A fixed clock: the deadline is set relative to it, so time left is exact. */
const NOW = Date.parse('2025-10-01T12:00:00.000Z');

/** Three executable checks (given, rule, model) and one nothing could make executable. */
const HARNESS: TaskHarness = {
  checks: [
    { text: 'js: document.title === "T"', how: 'given', js: 'document.title === "T"' },
    { text: 'LICENSE contains the MIT License text', how: 'rule', js: 'true /* rule */' },
    { text: 'The total shows 25000000', how: 'model', js: 'true /* model */' },
    {
      text: 'pelican.svg is rated by an LLM',
      how: 'none',
      js: null,
      why: 'no rule recognizes it and no model could make it executable',
    },
  ],
};
const ALL_EXECUTABLE: TaskHarness = { checks: HARNESS.checks.slice(0, 3) };

async function taskSession(
  id: string,
  opts: { maxRounds?: number; deadlineInMs?: number; harness?: TaskHarness } = {},
): Promise<RecordingPush> {
  const meta: SessionMeta = {
    sessionId: id,
    kind: 'task',
    status: 'running',
    createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(),
    filename: 'index.html',
    maxRounds: opts.maxRounds ?? 2,
    rounds: 1,
    lastIndex: 0,
    winner: null,
    notes: ['sites written by gemini'],
    task: {
      task: `task-${id}`,
      round: 1,
      nonce: 'nonce',
      email: 'student@example.com',
      evaluationUrl: 'https://evaluator.example/notify',
      deadline: new Date(NOW + (opts.deadlineInMs ?? 300_000)).toISOString(),
    },
  };
  await store.create(
    meta,
    toStoredTask({
      email: 'student@example.com',
      task: `task-${id}`,
      round: 1,
      nonce: 'nonce',
      brief: 'A page.',
      checks: (opts.harness ?? HARNESS).checks.map((check) => check.text),
      evaluationUrl: 'https://evaluator.example/notify',
      attachments: [],
    }),
  );
  await store.putArtifact(id, HARNESS_ARTIFACT, JSON.stringify(opts.harness ?? HARNESS));
  await store.addSubscriber(id, 'watcher');
  return new RecordingPush();
}

/** A site's browser result: `outcomes` by check id ('passed', 'returned:<json>', 'threw:<message>'). */
function siteRun(
  outcomes: Record<string, 'passed' | `returned:${string}` | `threw:${string}`>,
  opts: { consoleErrors?: number; bytes?: number } = {},
): RunResult {
  const checks: CheckOutcome[] = Object.entries(outcomes).map(([id, outcome]) => {
    if (outcome === 'passed') return { id, status: 'passed', value: 'true' };
    if (outcome.startsWith('returned:'))
      return { id, status: 'failed', value: outcome.slice('returned:'.length) };
    return { id, status: 'error', error: outcome.slice('threw:'.length) };
  });
  const passed = checks.every((check) => check.status === 'passed');
  return {
    status: passed ? 'passed' : 'failed',
    exitCode: null,
    durationMs: 800,
    stdout: '',
    stderr: '',
    site: {
      checks,
      consoleErrors: Array.from({ length: opts.consoleErrors ?? 0 }, (_, i) => `error ${i}`),
      pageErrors: [],
      failedRequests: [],
      refusedRequests: [],
      cdnSubstitutions: [],
      bytes: opts.bytes ?? 1000,
    },
  };
}

const FAILS_ALL = siteRun({ '0': 'returned:false', '1': 'returned:false', '2': 'returned:false' });
const PASSES_ALL = siteRun({ '0': 'passed', '1': 'passed', '2': 'passed' });
const PASSES_TWO = siteRun({ '0': 'passed', '1': 'passed', '2': 'returned:false' });

function site(index: number, round: number, result: RunResult | undefined): CandidateRecord {
  return {
    index,
    round,
    source: index === 0 ? 'empty' : 'gemini',
    title: index === 0 ? 'The site before this round' : `Site ${index}`,
    code: '[]',
    diff: index === 0 ? '' : `A index.html (site ${index})`,
    changedLines: 1000 + index,
    ...(result ? { result } : {}),
  };
}

const judge = (push: RecordingPush, sessionId: string, round: number, now = NOW) =>
  judgeTaskRound({ store, push, log, attemptReserveMs: RESERVE_MS, now: () => now }, { sessionId, round });

const results = (push: RecordingPush) => push.sent.filter((event) => event.type === 'result');

describe('Use case: judgeTaskRound', () => {
  describe('another attempt', () => {
    it('is asked while the best site fails a check, attempts are left and the deadline allows', async () => {
      // Prepare
      const push = await taskSession('again');
      await store.putCandidates('again', [
        site(0, 1, FAILS_ALL),
        site(1, 1, PASSES_TWO),
        site(2, 1, FAILS_ALL),
      ]);

      // Act
      const outcome = await judge(push, 'again', 1);

      // Assess
      expect(outcome).toEqual({
        sessionId: 'again',
        round: 2,
        done: false,
        publish: false,
        status: 'running',
      });
      const meta = await store.getMeta('again');
      expect(meta?.status).toBe('running');
      expect(meta?.winner).toBeNull();
      // The interim verdicts are what the next attempt is fed as its failed checks.
      expect(meta?.task?.checks).toEqual([
        { text: HARNESS.checks[0]?.text, how: 'given', status: 'passed' },
        { text: HARNESS.checks[1]?.text, how: 'rule', status: 'passed' },
        { text: HARNESS.checks[2]?.text, how: 'model', status: 'failed', why: 'it returned false, not true' },
        {
          text: HARNESS.checks[3]?.text,
          how: 'none',
          status: 'unverified',
          why: 'no rule recognizes it and no model could make it executable',
        },
      ]);
      expect(meta?.reason).toBe('candidate 1 passed 2 of 4 checks (1 could not be verified)');
      expect(results(push)).toEqual([]);
      expect(push.sent.at(-1)).toMatchObject({
        type: 'progress',
        stage: 'retrying',
        round: 2,
        message: expect.stringContaining('attempt 2 of 2 gets the failed checks as feedback'),
      });
    });

    it('is asked with exactly the reserve left, and not with a millisecond less', async () => {
      // Prepare
      const pushA = await taskSession('edge-a', { deadlineInMs: RESERVE_MS });
      const pushB = await taskSession('edge-b', { deadlineInMs: RESERVE_MS - 1 });
      for (const id of ['edge-a', 'edge-b'])
        await store.putCandidates(id, [site(0, 1, FAILS_ALL), site(1, 1, PASSES_TWO)]);

      // Act
      const enough = await judge(pushA, 'edge-a', 1);
      const short = await judge(pushB, 'edge-b', 1);

      // Assess
      expect(enough).toMatchObject({ done: false, round: 2, status: 'running' });
      expect(short).toMatchObject({ done: true, publish: true, round: 1, status: 'running' });
      expect((await store.getMeta('edge-b'))?.winner?.index).toBe(1);
      expect((await store.getMeta('edge-b'))?.task?.delivery?.judged).toBe('partial');
    });

    it('is not asked once the last attempt is judged', async () => {
      // Prepare
      const push = await taskSession('last', { maxRounds: 2 });
      await store.putCandidates('last', [
        site(0, 1, FAILS_ALL),
        site(1, 1, FAILS_ALL),
        site(2, 2, PASSES_TWO),
      ]);

      // Act
      const outcome = await judge(push, 'last', 2);

      // Assess
      expect(outcome).toEqual({ sessionId: 'last', round: 2, done: true, publish: true, status: 'running' });
      expect((await store.getMeta('last'))?.task?.delivery?.judged).toBe('partial');
      expect((await store.getMeta('last'))?.winner?.index).toBe(2);
    });

    it('is not asked when only unverified checks are missing: partial, done', async () => {
      // Prepare: every executable check passed; one check could not be made executable.
      const push = await taskSession('unverified-only', { maxRounds: 3 });
      await store.putCandidates('unverified-only', [site(0, 1, FAILS_ALL), site(1, 1, PASSES_ALL)]);

      // Act
      const outcome = await judge(push, 'unverified-only', 1);

      // Assess
      expect(outcome).toMatchObject({ done: true, publish: true, status: 'running' });
      const meta = await store.getMeta('unverified-only');
      expect(meta?.task?.delivery?.judged).toBe('partial');
      expect(meta?.reason).toBe('candidate 1 passed 3 of 4 checks (1 could not be verified)');
      expect(meta?.task?.checks?.map((check) => check.status)).toEqual([
        'passed',
        'passed',
        'passed',
        'unverified',
      ]);
      // Done judging: the site goes on to be delivered, with no further attempt announced.
      expect(push.sent.filter((event) => event.type === 'progress' && event.stage === 'retrying')).toEqual(
        [],
      );
      expect(push.sent.at(-1)).toMatchObject({ type: 'progress', stage: 'publishing' });
    });
  });

  describe('the verdict', () => {
    it('is not_reproduced when the baseline already passes every check, attempts or not', async () => {
      // Prepare
      const push = await taskSession('baseline-passes', { maxRounds: 3 });
      await store.putCandidates('baseline-passes', [site(0, 1, PASSES_ALL), site(1, 1, PASSES_ALL)]);

      // Act
      const outcome = await judge(push, 'baseline-passes', 1);

      // Assess
      expect(outcome).toMatchObject({ done: true, status: 'not_reproduced' });
      const meta = await store.getMeta('baseline-passes');
      expect(meta?.winner).toBeNull();
      expect(meta?.reason).toBe(
        'the site before this round already passes every check, so the checks prove nothing',
      );
      expect(results(push)).toEqual([expect.objectContaining({ status: 'not_reproduced', winner: null })]);
    });

    it('is no_fix when no candidate ran, on the last attempt; another attempt while one is left', async () => {
      // Prepare: one site's browser timed out before any check, one crashed, one was never reported.
      const timedOut: RunResult = {
        status: 'timeout',
        exitCode: null,
        durationMs: 20_000,
        stdout: '',
        stderr: '',
      };
      const crashed: RunResult = {
        status: 'crashed',
        crashedBy: 'sandbox',
        exitCode: null,
        durationMs: 0,
        stdout: '',
        stderr: '',
        reason: 'the browser sandbox could not start',
      };
      const records = (id: string) =>
        store.putCandidates(id, [
          site(0, 1, FAILS_ALL),
          site(1, 1, timedOut),
          site(2, 1, crashed),
          site(3, 1, undefined),
        ]);
      const lastPush = await taskSession('none-ran', { maxRounds: 1 });
      const earlyPush = await taskSession('none-ran-early', { maxRounds: 2 });
      await records('none-ran');
      await records('none-ran-early');

      // Act
      const last = await judge(lastPush, 'none-ran', 1);
      const early = await judge(earlyPush, 'none-ran-early', 1);

      // Assess
      expect(last).toMatchObject({ done: true, status: 'no_fix' });
      const meta = await store.getMeta('none-ran');
      expect(meta?.winner).toBeNull();
      expect(meta?.reason).toBe('no candidate site could be checked');
      expect(meta?.task?.checks?.slice(0, 3).map((check) => [check.status, check.why])).toEqual([
        ['failed', 'it did not run on the page'],
        ['failed', 'it did not run on the page'],
        ['failed', 'it did not run on the page'],
      ]);
      expect(early).toMatchObject({ done: false, round: 2, status: 'running' });
    });

    it('picks the winner across attempts: a better site of attempt 1 beats a worse one of attempt 2', async () => {
      // Prepare
      const push = await taskSession('across', { maxRounds: 2, harness: ALL_EXECUTABLE });
      await store.putCandidates('across', [
        site(0, 1, FAILS_ALL),
        site(1, 1, PASSES_ALL),
        site(2, 1, FAILS_ALL),
        site(3, 2, PASSES_TWO),
        site(4, 2, siteRun({ '0': 'passed', '1': 'returned:false', '2': 'returned:false' })),
      ]);

      // Act
      const outcome = await judge(push, 'across', 2);

      // Assess
      expect(outcome).toMatchObject({ done: true, publish: true, status: 'running' });
      const meta = await store.getMeta('across');
      expect(meta?.task?.delivery).toMatchObject({
        stage: 'publishing',
        judged: 'verified',
        notifications: [],
      });
      expect(meta?.winner).toEqual({ index: 1, durationMs: 800 });
      expect(meta?.reason).toBe('candidate 1 passed all 3 checks in a browser');
      expect(meta?.task?.checks?.every((check) => check.status === 'passed')).toBe(true);
    });

    it('breaks a tie on score with fewer console errors', async () => {
      // Prepare
      const push = await taskSession('tie', { maxRounds: 1 });
      await store.putCandidates('tie', [
        site(0, 1, FAILS_ALL),
        site(1, 1, siteRun({ '0': 'passed', '1': 'passed', '2': 'returned:false' }, { consoleErrors: 2 })),
        site(
          2,
          1,
          siteRun({ '0': 'passed', '1': 'passed', '2': 'returned:false' }, { consoleErrors: 0, bytes: 5000 }),
        ),
      ]);

      // Act
      await judge(push, 'tie', 1);

      // Assess
      expect((await store.getMeta('tie'))?.winner?.index).toBe(2);
    });
  });

  describe('each check’s verdict', () => {
    it('says why it failed: threw, returned something else, or did not run', async () => {
      // Prepare
      const push = await taskSession('why', { maxRounds: 1 });
      await store.putCandidates('why', [
        site(0, 1, FAILS_ALL),
        site(
          1,
          1,
          siteRun({
            '0': "threw:TypeError: Cannot read properties of null (reading 'textContent')",
            '1': 'returned:"25,000,000"',
          }),
        ),
      ]);

      // Act
      const outcome = await judge(push, 'why', 1);

      // Assess
      expect(outcome).toMatchObject({ done: true, publish: true, status: 'running' });
      expect((await store.getMeta('why'))?.task?.checks).toEqual([
        {
          text: HARNESS.checks[0]?.text,
          how: 'given',
          status: 'failed',
          why: "it threw: TypeError: Cannot read properties of null (reading 'textContent')",
        },
        {
          text: HARNESS.checks[1]?.text,
          how: 'rule',
          status: 'failed',
          why: 'it returned "25,000,000", not true',
        },
        { text: HARNESS.checks[2]?.text, how: 'model', status: 'failed', why: 'it did not run on the page' },
        {
          text: HARNESS.checks[3]?.text,
          how: 'none',
          status: 'unverified',
          why: 'no rule recognizes it and no model could make it executable',
        },
      ]);
    });

    it('pushes no result for a chosen site (its delivery ends the round), and the result when nothing was chosen', async () => {
      // Prepare
      const push = await taskSession('pushed', { maxRounds: 1 });
      await store.putCandidates('pushed', [site(0, 1, FAILS_ALL), site(1, 1, PASSES_TWO)]);
      const nothing = await taskSession('nothing-ran', { maxRounds: 1 });
      await store.putCandidates('nothing-ran', [site(0, 1, FAILS_ALL), site(1, 1, undefined)]);

      // Act
      await judge(push, 'pushed', 1);
      await judge(nothing, 'nothing-ran', 1);

      // Assess
      expect(push.sent[0]).toMatchObject({ type: 'progress', stage: 'judging', round: 1 });
      expect(results(push)).toEqual([]);
      expect(push.sent.at(-1)).toMatchObject({
        type: 'progress',
        stage: 'publishing',
        message: 'candidate 1 passed 2 of 4 checks (1 could not be verified); publishing it',
      });
      expect(results(nothing)).toEqual([
        {
          type: 'result',
          sessionId: 'nothing-ran',
          status: 'no_fix',
          rounds: 1,
          winner: null,
          notes: ['sites written by gemini'],
          reason: 'no candidate site could be checked',
          checks: { passed: 0, failed: 3, unverified: 1 },
        },
      ]);
    });
  });
});
