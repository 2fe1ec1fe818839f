import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';
import { FakeEvaluator } from '../support/fake-evaluator.js';
import { FakeProviderServer } from '../support/llm-fakes/fake-provider-server.js';
import { GEMINI_ROUTE, geminiAnswer } from '../support/llm-fakes/gemini-api.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';
import { compiledHeading, honestSite, salesTask } from '../support/task-sites.js';

const git = promisify(execFile);
let gemini: FakeProviderServer;
let evaluator: FakeEvaluator;
let fixture: StackFixture;

beforeAll(async () => {
  gemini = await FakeProviderServer.start(GEMINI_ROUTE);
  evaluator = await FakeEvaluator.start();
  fixture = await startStackFixture({
    GEMINI_API_KEY: 'gemini-test-key',
    GEMINI_BASE_URL: gemini.url,
    LLM_MAX_RETRIES: '1',
    LLM_RETRY_BASE_DELAY_MS: '10',
    LLM_RETRY_MAX_DELAY_MS: '20',
    TASK_SECRET: 'task-test-secret',
    TASK_ALLOW_LOOPBACK_CALLBACK: 'true',
    TASK_MAX_ATTEMPTS: '1',
    SANDBOX_BROWSER_TIMEOUT_MS: '15000',
  });
});

afterAll(async () => {
  await fixture?.stop();
  await gemini?.close();
  await evaluator?.close();
});

beforeEach(() => {
  gemini.reset();
  evaluator.reset();
});

const task = (nonce: string, name: string) => ({ ...salesTask(nonce, name), evaluation_url: evaluator.url });
const pagesDir = () => join(fixture.dataDir, 'pages', 'local');

async function postTask(body: unknown) {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function view(name: string, round: number): Promise<TaskRoundView | undefined> {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks/${name}/rounds/${round}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return (await response.json()) as TaskRoundView;
}

async function waitForRound(name: string, round: number, timeoutMs = 120_000): Promise<TaskRoundView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await view(name, round);
    if (current && !['queued', 'running'].includes(current.status)) return current;
    if (Date.now() > deadline) throw new Error(`round ${round} of ${name} did not finish in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The sites a fake Gemini writes for one round: the heading check compiled, then `sites`. */
function answerRound(...sites: Array<typeof honestSite>) {
  gemini.enqueue(geminiAnswer(compiledHeading), geminiAnswer({ candidates: sites }));
}

describe('a task round delivered on the local stack', () => {
  it('commits the winner once in a real git repository, serves it at the pages URL, proves it live and reports it', async () => {
    answerRound(honestSite);
    const accepted = await postTask(task('n-deliver', 'deliver-me'));
    expect(accepted.status).toBe(200);
    const round = await waitForRound('deliver-me', 1);
    expect(round.status).toBe('verified');

    // Exactly one notification, JSON, with the contract's seven fields.
    const received = evaluator.for('deliver-me');
    expect(received).toHaveLength(1);
    expect(received[0]?.contentType).toBe('application/json');
    expect(received[0]?.body).toEqual({
      email: 'student@example.com',
      task: 'deliver-me',
      round: 1,
      nonce: 'n-deliver',
      repo_url: round.repo_url,
      commit_sha: round.commit_sha,
      pages_url: round.pages_url,
    });

    // The commit is real: the repository's only commit, holding the site, LICENSE, README, .nojekyll.
    const repo = join(pagesDir(), 'deliver-me');
    const head = (await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
    expect(head).toBe(round.commit_sha);
    expect((await git('git', ['-C', repo, 'rev-list', '--count', 'HEAD'])).stdout.trim()).toBe('1');
    const tree = (await git('git', ['-C', repo, 'ls-tree', '--name-only', '-r', 'HEAD'])).stdout.split('\n');
    expect(tree).toEqual(expect.arrayContaining(['.nojekyll', 'LICENSE', 'README.md', 'index.html']));
    const license = (await git('git', ['-C', repo, 'show', 'HEAD:LICENSE'])).stdout;
    expect(license).toContain('Permission is hereby granted');

    // The pages URL serves the committed page, and the checks passed on it again.
    const page = await fetch(round.pages_url ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe((await git('git', ['-C', repo, 'show', 'HEAD:index.html'])).stdout);
    expect(round.delivery).toMatchObject({
      stage: 'delivered',
      judged: 'verified',
      pages: { status: 'built', live: true },
      live: { status: 'passed', passed: 5, total: 5, mismatched: [] },
    });
    expect(round.delivery?.notifications.map((attempt) => attempt.status)).toEqual([200]);
  });

  it('makes a round 2 sent while round 1 runs wait for it, then commits on top of the same repository', async () => {
    answerRound(honestSite);
    const footer = honestSite.files[0]?.content.replace(
      '</body>',
      '<footer id="footer">Updated</footer>\n</body>',
    );
    gemini.enqueue(
      geminiAnswer({
        candidates: [
          { ...honestSite, title: 'Footer', files: [{ path: 'index.html', content: footer ?? '' }] },
        ],
      }),
    );
    const first = await postTask(task('n-first', 'in-order'));
    // Round 1 is still being built: the revise is accepted and waits, it is not refused.
    const second = await postTask({
      ...task('n-second', 'in-order'),
      round: 2,
      brief: 'Add a footer with id "footer" that reads "Updated".',
      checks: ['js: document.querySelector("#footer")?.textContent === "Updated"'],
    });
    expect([first.status, second.status]).toEqual([200, 200]);
    const revised = await waitForRound('in-order', 2);
    const built = await waitForRound('in-order', 1);
    expect([built.status, revised.status]).toEqual(['verified', 'verified']);
    expect(revised.repo_url).toBe(built.repo_url);

    const repo = join(pagesDir(), 'in-order');
    const parent = (await git('git', ['-C', repo, 'rev-parse', `${revised.commit_sha}^`])).stdout.trim();
    expect(parent).toBe(built.commit_sha);
    expect((await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim()).toBe(revised.commit_sha);
    // The evaluator heard of round 1 before round 2.
    expect(
      evaluator.received.filter((entry) => entry.body.task === 'in-order').map((entry) => entry.body.round),
    ).toEqual([1, 2]);
    expect(await (await fetch(revised.pages_url ?? '')).text()).toContain(
      '<footer id="footer">Updated</footer>',
    );
  });

  it('retries an evaluator that answers 500 three times after about 1, 2 and 4 s, and the fourth is accepted', async () => {
    evaluator.script([500, 500, 500]);
    answerRound(honestSite);
    await postTask(task('n-retry', 'retry-me'));
    const round = await waitForRound('retry-me', 1);
    expect(round.status).toBe('verified');
    const received = evaluator.for('retry-me');
    expect(received.map((entry) => entry.status)).toEqual([500, 500, 500, 200]);
    const gaps = received.slice(1).map((entry, index) => entry.at - (received[index]?.at ?? 0));
    // Step Functions' retrier waits 1, 2, 4 s; each gap adds a function's invocation on top.
    for (const [index, expected] of [1000, 2000, 4000].entries()) {
      expect(gaps[index]).toBeGreaterThanOrEqual(expected - 50);
      expect(gaps[index]).toBeLessThan(expected + 1500);
    }
    expect(round.delivery?.notifications.map((attempt) => attempt.status)).toEqual([500, 500, 500, 200]);
    expect(Date.parse(round.delivery?.notifiedAt ?? '')).toBeLessThan(Date.parse(round.notifyBy ?? ''));
  });

  it('refuses to push a winner holding a token-shaped string, and the round says why', async () => {
    const token = `ghp_${'A1b2C3d4E5f6G7h8I9j0'}${'K1l2M3n4O5p6Q7r8'}`;
    const leaky = {
      ...honestSite,
      title: 'Leaky',
      files: [
        {
          path: 'index.html',
          content:
            honestSite.files[0]?.content.replace(
              '</body>',
              `<script>const token = "${token}";</script>\n</body>`,
            ) ?? '',
        },
      ],
    };
    answerRound(leaky);
    await postTask(task('n-leak', 'leaky-site'));
    const round = await waitForRound('leaky-site', 1);
    expect(round.status).toBe('failed');
    expect(round.reason).toMatch(
      /could not be published: not published: the site holds what looks like a secret: index\.html line \d+/,
    );
    expect(round.reason).not.toContain(token);
    expect(round.repo_url).toBeNull();
    // Nothing was pushed anywhere: no repository for the task, no notification.
    expect(await readdir(pagesDir()).catch(() => [])).not.toContain('leaky-site');
    expect(evaluator.for('leaky-site')).toEqual([]);
  });

  it('sent 10 times at once, the same (task, round, nonce) makes one repository, one commit and one notification', async () => {
    answerRound(honestSite);
    const body = task('n-ten', 'ten-times');
    const answers = await Promise.all(Array.from({ length: 10 }, () => postTask(body)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((answer) => answer.json.sessionId)).size).toBe(1);
    const round = await waitForRound('ten-times', 1);
    expect(round.status).toBe('verified');
    expect(evaluator.for('ten-times')).toHaveLength(1);
    const repos = (await readdir(pagesDir())).filter((name) => name.startsWith('ten-times'));
    expect(repos).toEqual(['ten-times']);
    const repo = join(pagesDir(), 'ten-times');
    expect((await git('git', ['-C', repo, 'rev-list', '--count', 'HEAD'])).stdout.trim()).toBe('1');
  });
});
