import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { LocalGitPublisher } from '../../shared/adapters/pages-local/local-git-publisher.js';
import { createLocalPagesHandler } from '../../shared/adapters/pages-local/pages-handler.js';
import { createFetchWebClient } from '../../shared/adapters/web/fetch-web-client.js';
import type { SessionMeta, TaskDelivery } from '../../shared/domain/types.js';
import type { DeliveryDeps } from '../../shared/kinds/task/delivery.js';
import { NotifyDeadlineError, PreviousRoundError } from '../../shared/kinds/task/delivery-errors.js';
import type { PagesStatus, Publisher } from '../../shared/kinds/task/publisher.js';
import { decodeSiteBundle, encodeSiteBundle, type SiteFile } from '../../shared/kinds/task/site.js';
import type { TaskHarness } from '../../shared/kinds/task/task-harness.js';
import { toStoredTask } from '../../shared/kinds/task/task-problem.js';
import { awaitPreviousRound } from '../../shared/kinds/task/use-cases/await-previous-round.js';
import { checkPages } from '../../shared/kinds/task/use-cases/check-pages.js';
import { fetchLiveSite } from '../../shared/kinds/task/use-cases/fetch-live-site.js';
import { finishTaskRound } from '../../shared/kinds/task/use-cases/finish-task-round.js';
import { notifyEvaluator } from '../../shared/kinds/task/use-cases/notify-evaluator.js';
import { HARNESS_ARTIFACT } from '../../shared/kinds/task/use-cases/prepare-task-round.js';
import { publishTaskRound } from '../../shared/kinds/task/use-cases/publish-task-round.js';
import { openDynaliteStore } from '../support/dynalite-store.js';
import { FakeEvaluator } from '../support/fake-evaluator.js';
import { RecordingPush } from '../support/recording-push.js';

/*
 * Each step of a task round's delivery on the real store (dynalite), publishing with the local git
 * publisher (real git) behind a real HTTP server serving its pages, and notifying a loopback
 * evaluator through the real fetch client. The clock is fixed where the deadline matters.
 */

const git = promisify(execFile);
let dir: string;
let opened: Awaited<ReturnType<typeof openDynaliteStore>>;
let store: DynamoDbSessionStore;
let evaluator: FakeEvaluator;
let pages: Server;
let pagesBaseUrl: string;
let publisher: LocalGitPublisher;
/** Alters what the pages server answers, to play a host serving something else than committed. */
let tamper: ((path: string) => { status: number; body: string } | undefined) | undefined;
const log = { warn: () => {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delivery-'));
  opened = await openDynaliteStore(dir, 'delivery', { baseUrl: 'http://127.0.0.1:9' });
  store = opened.store;
  evaluator = await FakeEvaluator.start();
  const serve = createLocalPagesHandler({ rootDir: join(dir, 'pages') });
  pages = createServer((request, response) => {
    const altered = tamper?.(request.url ?? '/');
    if (altered) {
      response.writeHead(altered.status);
      response.end(altered.body);
      return;
    }
    if (!serve(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagesBaseUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/pages`;
  publisher = new LocalGitPublisher({ rootDir: join(dir, 'pages'), pagesBaseUrl });
});

afterAll(async () => {
  await new Promise((resolve) => pages?.close(resolve));
  await evaluator?.close();
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  evaluator.reset();
  tamper = undefined;
});

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const HARNESS: TaskHarness = {
  checks: [
    { text: 'js: document.title === "Shop"', how: 'given', js: 'document.title === "Shop"' },
    { text: 'js: !!document.querySelector("h1")', how: 'given', js: '!!document.querySelector("h1")' },
  ],
};
const FILES: SiteFile[] = [
  { path: 'index.html', content: Buffer.from('<!doctype html><title>Shop</title><h1>Shop</h1>\n') },
  { path: 'README.md', content: Buffer.from('# Shop\n') },
  { path: 'LICENSE', content: Buffer.from('MIT License\n\nPermission is hereby granted, free of charge\n') },
];

interface SessionOptions {
  round?: number;
  status?: SessionMeta['status'];
  createdAt?: number;
  delivery?: Partial<TaskDelivery> | null;
  evaluationUrl?: string;
}

/** A judged task session: its winner (index 1) stored, its checks as the harness artifact. */
async function session(id: string, options: SessionOptions = {}): Promise<RecordingPush> {
  const createdAt = options.createdAt ?? Date.now();
  const round = options.round ?? 1;
  const evaluationUrl = options.evaluationUrl ?? evaluator.url;
  const meta: SessionMeta = {
    sessionId: id,
    kind: 'task',
    status: options.status ?? 'running',
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(createdAt).toISOString(),
    filename: 'index.html',
    maxRounds: 1,
    rounds: 1,
    lastIndex: 1,
    winner: { index: 1, durationMs: 500 },
    notes: [],
    task: {
      task: `shop-${id}`,
      round,
      nonce: `nonce-${id}`,
      email: 'student@example.com',
      evaluationUrl,
      deadline: new Date(createdAt + 300_000).toISOString(),
      notifyBy: new Date(createdAt + 600_000).toISOString(),
      ...(options.delivery === null
        ? {}
        : {
            delivery: {
              stage: 'publishing',
              judged: 'verified',
              judgedReason: 'candidate 1 passed all 2 checks in a browser',
              judgedAt: new Date(createdAt).toISOString(),
              notifications: [],
              ...options.delivery,
            },
          }),
    },
  };
  await store.create(
    meta,
    toStoredTask({
      email: 'student@example.com',
      task: `shop-${id}`,
      round,
      nonce: `nonce-${id}`,
      brief: 'A shop page.',
      checks: HARNESS.checks.map((check) => check.text),
      evaluationUrl,
      attachments: [],
    }),
  );
  await store.putCandidates(id, [
    {
      index: 1,
      round: 1,
      source: 'gemini',
      title: 'Shop',
      code: encodeSiteBundle(FILES),
      diff: 'A index.html',
      changedLines: 100,
    },
  ]);
  await store.putArtifact(id, HARNESS_ARTIFACT, JSON.stringify(HARNESS));
  await store.bindTaskRound(`shop-${id}`, round, id);
  await store.addSubscriber(id, 'watcher');
  return new RecordingPush();
}

function deps(push: RecordingPush, overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return {
    store,
    push,
    log,
    publisher,
    web: createFetchWebClient(),
    settings: { notifyReserveMs: 60_000, notifyTimeoutMs: 2_000, liveFetchTimeoutMs: 2_000 },
    ...overrides,
  };
}

/** A publisher whose Pages answer is scripted (a build GitHub has not finished, or failed). */
function pagesSaying(status: Omit<PagesStatus, 'pagesUrl'>): Publisher {
  return {
    publish: () => Promise.reject(new Error('not used')),
    pagesStatus: async () => ({ ...status, pagesUrl: 'https://example.github.io/shop/' }),
  };
}

const published = {
  owner: 'local',
  repo: 'shop',
  repoUrl: 'file:///repos/shop',
  commitSha: 'a'.repeat(40),
  pagesUrl: 'https://example.github.io/shop/',
  publishedAt: new Date(NOW).toISOString(),
};

describe('Task delivery, step by step', () => {
  describe('publish', () => {
    it('commits the winner once: a retried step answers the recorded publication and pushes nothing', async () => {
      // Prepare
      const push = await session('pub');

      // Act
      const first = await publishTaskRound(deps(push), { sessionId: 'pub' });
      const again = await publishTaskRound(deps(push), { sessionId: 'pub' });

      // Assess
      expect(again).toEqual(first);
      const repo = join(dir, 'pages', first.owner, first.repo);
      expect((await git('git', ['-C', repo, 'rev-list', '--count', 'HEAD'])).stdout.trim()).toBe('1');
      expect((await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim()).toBe(first.commitSha);
      const record = await store.getTaskRoundRecord('shop-pub', 1);
      expect(record?.publication).toEqual({
        owner: first.owner,
        repo: first.repo,
        repoUrl: first.repoUrl,
        commitSha: first.commitSha,
        pagesUrl: first.pagesUrl,
      });
      expect((await store.getMeta('pub'))?.task?.delivery?.stage).toBe('waiting-for-pages');
    });
  });

  describe('pages status', () => {
    it('waits while the build runs, and goes on once it is live', async () => {
      // Prepare
      const push = await session('pages-wait', { createdAt: NOW, delivery: { publication: published } });
      const building = deps(push, {
        publisher: pagesSaying({ status: 'building', live: false }),
        now: () => NOW,
      });
      const built = deps(push, { publisher: pagesSaying({ status: 'built', live: true }), now: () => NOW });

      // Act + Assess
      expect(await checkPages(building, { sessionId: 'pages-wait' })).toEqual({
        status: 'building',
        live: false,
        proceed: false,
      });
      expect(await checkPages(built, { sessionId: 'pages-wait' })).toEqual({
        status: 'built',
        live: true,
        proceed: true,
      });
      expect((await store.getMeta('pages-wait'))?.task?.delivery?.reason).toBeUndefined();
    });

    it('goes on, saying so, when waiting longer would leave no time to notify, or the build errored', async () => {
      // Prepare: notifyBy is NOW + 600 s; the reserve is 60 s.
      const push = await session('pages-late', { createdAt: NOW, delivery: { publication: published } });
      const late = deps(push, {
        publisher: pagesSaying({ status: 'building', live: false }),
        now: () => NOW + 540_000,
      });
      const early = deps(push, {
        publisher: pagesSaying({ status: 'building', live: false }),
        now: () => NOW + 539_999,
      });
      const errored = deps(push, {
        publisher: pagesSaying({ status: 'errored', live: false, reason: 'Page build failed.' }),
        now: () => NOW,
      });

      // Act + Assess
      expect((await checkPages(early, { sessionId: 'pages-late' })).proceed).toBe(false);
      expect((await checkPages(late, { sessionId: 'pages-late' })).proceed).toBe(true);
      expect((await store.getMeta('pages-late'))?.task?.delivery?.reason).toBe(
        'Pages was not confirmed live (building)',
      );
      expect(await checkPages(errored, { sessionId: 'pages-late' })).toMatchObject({ proceed: true });
      expect((await store.getMeta('pages-late'))?.task?.delivery?.reason).toBe(
        'Pages was not confirmed live (errored: Page build failed.)',
      );
    });
  });

  describe('live site', () => {
    it('hands the sandbox exactly what the pages URL served, naming each file served otherwise than committed', async () => {
      // Prepare
      const push = await session('live');
      const publication = await publishTaskRound(deps(push), { sessionId: 'live' });
      tamper = (path) => {
        if (path.endsWith('/README.md')) return { status: 404, body: 'gone' };
        if (path.endsWith('/index.html')) return { status: 200, body: '<title>Other</title>' };
        return undefined;
      };

      // Act
      const live = await fetchLiveSite(deps(push), { sessionId: 'live' });

      // Assess
      expect(live.mismatched.sort()).toEqual([
        'README.md: HTTP 404',
        'index.html: other content than committed',
      ]);
      expect('text' in live.item.site).toBe(true);
      const served = decodeSiteBundle((live.item.site as { text: string }).text);
      expect(Object.fromEntries(served.map((file) => [file.path, file.content.toString()]))).toEqual({
        LICENSE: FILES[2]?.content.toString(),
        'index.html': '<title>Other</title>',
      });
      expect(live.run).toEqual({
        kind: 'site',
        checks: [
          { id: '0', js: 'document.title === "Shop"' },
          { id: '1', js: '!!document.querySelector("h1")' },
        ],
      });
      expect(live.item).toMatchObject({ sessionId: 'live', index: 1, role: 'candidate', source: 'live' });
      expect(publication.pagesUrl.startsWith(pagesBaseUrl)).toBe(true);
    });

    it('finds nothing amiss when the pages URL serves the commit', async () => {
      // Prepare
      const push = await session('live-ok');
      await publishTaskRound(deps(push), { sessionId: 'live-ok' });

      // Act
      const live = await fetchLiveSite(deps(push), { sessionId: 'live-ok' });

      // Assess
      expect(live.mismatched).toEqual([]);
      expect(
        decodeSiteBundle((live.item.site as { text: string }).text)
          .map((file) => file.path)
          .sort(),
      ).toEqual(FILES.map((file) => file.path).sort());
    });
  });

  describe('notify', () => {
    it('posts the seven fields as JSON, once accepted never again', async () => {
      // Prepare
      const push = await session('notify', { delivery: { publication: published } });

      // Act
      const first = await notifyEvaluator(deps(push), { sessionId: 'notify' });
      const again = await notifyEvaluator(deps(push), { sessionId: 'notify' });

      // Assess
      expect(first).toEqual({ notified: true, attempts: 1 });
      expect(again).toEqual({ notified: true, attempts: 1 });
      expect(evaluator.received).toHaveLength(1);
      expect(evaluator.received[0]?.contentType).toBe('application/json');
      expect(evaluator.received[0]?.body).toEqual({
        email: 'student@example.com',
        task: 'shop-notify',
        round: 1,
        nonce: 'nonce-notify',
        repo_url: published.repoUrl,
        commit_sha: published.commitSha,
        pages_url: published.pagesUrl,
      });
      const delivery = (await store.getMeta('notify'))?.task?.delivery;
      expect(delivery?.stage).toBe('delivered');
      expect(delivery?.notifications).toMatchObject([{ status: 200 }]);
    });

    it('throws EvaluatorNotAccepted while a retry fits the deadline, and NotifyDeadlinePassed once it would not', async () => {
      // Prepare: notifyBy is NOW + 600 s. After attempt n the retrier waits 2^(n-1) s.
      evaluator.script([], 400);
      const push = await session('refused', { createdAt: NOW, delivery: { publication: published } });
      const at = (now: number) => deps(push, { now: () => now });

      // Act + Assess: the first retry waits 1 s, the second 2 s.
      await expect(notifyEvaluator(at(NOW + 598_999), { sessionId: 'refused' })).rejects.toMatchObject({
        name: 'EvaluatorNotAccepted',
        message: 'the evaluator answered HTTP 400 (attempt 1)',
      });
      await expect(notifyEvaluator(at(NOW + 598_001), { sessionId: 'refused' })).rejects.toBeInstanceOf(
        NotifyDeadlineError,
      );
      const delivery = (await store.getMeta('refused'))?.task?.delivery;
      expect(delivery?.notifications.map((attempt) => [attempt.status, attempt.error])).toEqual([
        [400, 'HTTP 400: {"error":"not accepted"}'],
        [400, 'HTTP 400: {"error":"not accepted"}'],
      ]);
      expect(delivery?.notifiedAt).toBeUndefined();
    });

    it('counts no answer as an attempt, with why', async () => {
      // Prepare: nothing listens on port 9 (discard) on loopback.
      const push = await session('silent', {
        delivery: { publication: published },
        evaluationUrl: 'http://127.0.0.1:9/notify',
      });

      // Act
      const attempt = notifyEvaluator(deps(push), { sessionId: 'silent' });

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'EvaluatorNotAccepted' });
      const [recorded] = (await store.getMeta('silent'))?.task?.delivery?.notifications ?? [];
      expect(recorded?.status).toBeNull();
      expect(recorded?.error).toMatch(/^no answer: /);
    });
  });

  describe('previous round', () => {
    it('lets a build go at once, and makes a revise wait while its previous round runs', async () => {
      // Prepare
      const build = await session('turn-1');
      const revise = await session('turn-2', { round: 2, delivery: null });
      await store.bindTaskRound('shop-turn-2', 1, 'turn-1');
      const settings = (push: RecordingPush) => ({ store, push, log, notifyReserveMs: 60_000 });

      // Act + Assess
      expect(await awaitPreviousRound(settings(build), { sessionId: 'turn-1' })).toEqual({ ready: true });
      expect(await awaitPreviousRound(settings(revise), { sessionId: 'turn-2' })).toEqual({ ready: false });
      expect(revise.sent.at(-1)).toMatchObject({ type: 'progress', stage: 'waiting' });
      await store.updateMeta('turn-1', { status: 'verified' });
      await expect(awaitPreviousRound(settings(revise), { sessionId: 'turn-2' })).rejects.toThrow(
        'round 1 of shop-turn-2 ended verified without publishing a site to revise',
      );
      await store.recordTaskRound('shop-turn-2', 1, { sessionId: 'turn-1', publication: published });
      expect(await awaitPreviousRound(settings(revise), { sessionId: 'turn-2' })).toEqual({ ready: true });
    });

    it('refuses a revise with no previous round, or one still running at its deadline', async () => {
      // Prepare
      const orphan = await session('orphan', { round: 2, delivery: null });
      const late = await session('late-2', { round: 2, createdAt: NOW, delivery: null });
      await session('late-1', { createdAt: NOW });
      await store.bindTaskRound('shop-late-2', 1, 'late-1');

      // Act + Assess
      await expect(
        awaitPreviousRound({ store, push: orphan, log, notifyReserveMs: 60_000 }, { sessionId: 'orphan' }),
      ).rejects.toBeInstanceOf(PreviousRoundError);
      await expect(
        awaitPreviousRound(
          { store, push: late, log, notifyReserveMs: 60_000, now: () => NOW + 540_000 },
          { sessionId: 'late-2' },
        ),
      ).rejects.toThrow('round 1 of shop-late-2 was still running at this round');
    });
  });

  describe('finish', () => {
    it("ends a reported round with the judge's verdict, on the session and on the round's record", async () => {
      // Prepare
      const push = await session('done', {
        delivery: { publication: published, notifiedAt: new Date(NOW).toISOString(), stage: 'delivered' },
      });

      // Act
      const outcome = await finishTaskRound(deps(push), { sessionId: 'done', error: {} });

      // Assess
      expect(outcome).toEqual({ sessionId: 'done', status: 'verified' });
      expect(await store.getTaskRoundRecord('shop-done', 1)).toMatchObject({
        sessionId: 'done',
        status: 'verified',
        nonce: 'nonce-done',
        notifiedAt: new Date(NOW).toISOString(),
        publication: { repo: 'shop', commitSha: published.commitSha },
      });
      expect(push.sent.at(-1)).toMatchObject({ type: 'result', status: 'verified', winner: { index: 1 } });
    });

    it('fails a round that was not reported or not published, saying what stopped it', async () => {
      // Prepare
      const unreported = await session('unreported', { delivery: { publication: published } });
      const unpublished = await session('unpublished');
      const said = (message: string) => ({
        Error: 'Error',
        Cause: JSON.stringify({ errorType: 'Error', errorMessage: message, trace: ['at secret place'] }),
      });

      // Act
      await finishTaskRound(deps(unreported), {
        sessionId: 'unreported',
        error: said(
          'the evaluator did not accept the result before the deadline: 9 attempts, the last HTTP 400',
        ),
      });
      await finishTaskRound(deps(unpublished), { sessionId: 'unpublished', error: said('Bad credentials') });

      // Assess
      const a = await store.getMeta('unreported');
      expect(a?.status).toBe('failed');
      expect(a?.reason).toBe(
        'published, but not reported: the evaluator did not accept the result before the deadline: 9 attempts, the last HTTP 400',
      );
      expect(a?.task?.delivery?.publication?.commitSha).toBe(published.commitSha);
      const b = await store.getMeta('unpublished');
      expect(b?.status).toBe('failed');
      expect(b?.reason).toBe('the site could not be published: Bad credentials');
      expect(b?.reason).not.toContain('secret place');
      expect(b?.task?.delivery?.stage).toBe('failed');
      expect((await store.getTaskRoundRecord('shop-unpublished', 1))?.status).toBe('failed');
    });

    it("leaves a round's record alone once a later request for the round has taken it over", async () => {
      // Prepare
      const push = await session('superseded', {
        delivery: { publication: published, notifiedAt: new Date(NOW).toISOString() },
      });
      await store.bindTaskRound('shop-superseded', 1, 'someone-else');

      // Act
      await finishTaskRound(deps(push), { sessionId: 'superseded' });

      // Assess
      expect((await store.getMeta('superseded'))?.status).toBe('verified');
      // The other request's binding stands, with nothing of this session written over it.
      expect(await store.getTaskRoundRecord('shop-superseded', 1)).toEqual({ sessionId: 'someone-else' });
    });
  });
});
