import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';
import { FakeEvaluator } from '../support/fake-evaluator.js';
import { FakeGitHub } from '../support/fake-github/fake-github-server.js';
import { FakeProviderServer } from '../support/llm-fakes/fake-provider-server.js';
import { GEMINI_ROUTE, geminiAnswer } from '../support/llm-fakes/gemini-api.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';
import { compiledHeading, honestSite, salesTask } from '../support/task-sites.js';

/*
 * The stack publishing to GitHub: the real @octokit/rest client pointed at a loopback server that
 * speaks GitHub's REST API. The evaluator's deadline is cut to 45 s here so that an evaluator that
 * never accepts shows where the retries stop.
 */
const DEADLINE_MS = 45_000;
let gemini: FakeProviderServer;
let github: FakeGitHub;
let evaluator: FakeEvaluator;
let fixture: StackFixture;
let builder: NodeJS.Timeout;

beforeAll(async () => {
  gemini = await FakeProviderServer.start(GEMINI_ROUTE);
  github = await FakeGitHub.start({ login: 'site-bot', token: 'ghp_test_token_for_the_fake' });
  evaluator = await FakeEvaluator.start();
  // GitHub builds Pages a while after a push: here every build finishes within a second.
  builder = setInterval(() => github.finishBuilds('built'), 1000);
  fixture = await startStackFixture({
    GEMINI_API_KEY: 'gemini-test-key',
    GEMINI_BASE_URL: gemini.url,
    LLM_MAX_RETRIES: '1',
    LLM_RETRY_BASE_DELAY_MS: '10',
    LLM_RETRY_MAX_DELAY_MS: '20',
    TASK_SECRET: 'task-test-secret',
    TASK_ALLOW_LOOPBACK_CALLBACK: 'true',
    TASK_MAX_ATTEMPTS: '1',
    TASK_NOTIFY_DEADLINE_MS: String(DEADLINE_MS),
    TASK_NOTIFY_RESERVE_MS: '5000',
    GITHUB_TOKEN: 'ghp_test_token_for_the_fake',
    GITHUB_API_URL: github.url,
    SANDBOX_BROWSER_TIMEOUT_MS: '15000',
  });
});

afterAll(async () => {
  clearInterval(builder);
  await fixture?.stop();
  await gemini?.close();
  await github?.close();
  await evaluator?.close();
});

beforeEach(() => {
  gemini.reset();
  evaluator.reset();
});

const csv = Buffer.from('region,amount\nnorth,10000000\nsouth,15000000\n');
const task = (nonce: string, name: string) => ({
  ...salesTask(nonce, name),
  evaluation_url: evaluator.url,
  attachments: [{ name: 'sales.csv', url: `data:text/csv;base64,${csv.toString('base64')}` }],
});

async function postTask(body: unknown) {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function waitForRound(name: string, round: number, timeoutMs = 120_000): Promise<TaskRoundView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks/${name}/rounds/${round}`);
    if (response.status === 200) {
      const view = (await response.json()) as TaskRoundView;
      if (!['queued', 'running'].includes(view.status)) return view;
    }
    if (Date.now() > deadline) throw new Error(`round ${round} of ${name} did not finish in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a task round published to GitHub', () => {
  it('creates one public repository (suffixed when the name is taken) with one commit, through a 502, and round 2 commits on top', async () => {
    github.seedRepo('gh-sales');
    github.inject({ method: 'POST', path: /\/git\/trees$/, status: 502 });
    gemini.enqueue(geminiAnswer(compiledHeading), geminiAnswer({ candidates: [honestSite] }));
    expect((await postTask(task('n-gh-1', 'gh-sales'))).status).toBe(200);
    const built = await waitForRound('gh-sales', 1);
    expect(built.status).toBe('verified');

    // One new repository beside the one that was taken, public, with a one-line description.
    const ours = [...github.repos.values()].filter((repo) => repo.name !== 'gh-sales');
    expect(ours).toHaveLength(1);
    const repo = ours[0];
    expect(repo?.name).toMatch(/^gh-sales-[a-z0-9]+$/);
    expect(repo?.private).toBe(false);
    expect(repo?.description).not.toContain('\n');
    expect(repo?.description.length).toBeLessThan(350);
    expect(repo?.description).not.toContain('Publish a one-page site');
    expect(repo?.pages).toEqual({ branch: 'main', path: '/' });
    expect(built.repo_url).toBe(`https://github.com/site-bot/${repo?.name}`);

    // Exactly one commit, holding the site, LICENSE, README and the attachment byte for byte.
    const history = github.history(repo?.name ?? '');
    expect(history.map((commit) => commit.sha)).toEqual([built.commit_sha]);
    const files = github.filesAt(built.commit_sha ?? '');
    expect([...files.keys()].sort()).toEqual([
      '.nojekyll',
      'LICENSE',
      'README.md',
      'index.html',
      'sales.csv',
    ]);
    expect(files.get('LICENSE')?.toString()).toContain('Permission is hereby granted');
    expect(files.get('sales.csv')?.equals(csv)).toBe(true);
    // The tree went through on the retry of the 502.
    const trees = github.requests.filter(
      (request) => request.method === 'POST' && request.path.endsWith('/git/trees'),
    );
    expect(trees.map((request) => request.status)).toEqual([502, 201]);
    expect(built.delivery?.live).toMatchObject({ status: 'passed', mismatched: [] });
    expect(evaluator.for('gh-sales')[0]?.body).toMatchObject({
      repo_url: built.repo_url,
      commit_sha: built.commit_sha,
      pages_url: built.pages_url,
    });

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
    await postTask({
      ...task('n-gh-2', 'gh-sales'),
      round: 2,
      brief: 'Add a footer with id "footer" that reads "Updated".',
      checks: ['js: document.querySelector("#footer")?.textContent === "Updated"'],
    });
    const revised = await waitForRound('gh-sales', 2);
    expect(revised.status).toBe('verified');
    expect(revised.repo_url).toBe(built.repo_url);
    expect(github.history(repo?.name ?? '').map((commit) => commit.sha)).toEqual([
      revised.commit_sha,
      built.commit_sha,
    ]);
    expect([...github.repos.values()].filter((each) => each.name !== 'gh-sales')).toHaveLength(1);
  }, 180_000);

  it('stops retrying an evaluator that answers 400 forever at the deadline, with every attempt recorded', async () => {
    evaluator.script([], 400);
    gemini.enqueue(geminiAnswer(compiledHeading), geminiAnswer({ candidates: [honestSite] }));
    const sentAt = Date.now();
    await postTask(task('n-gh-400', 'gh-refused'));
    const round = await waitForRound('gh-refused', 1, DEADLINE_MS + 30_000);
    expect(round.status).toBe('failed');
    expect(round.reason).toMatch(
      /published, but not reported: the evaluator did not accept the result before the deadline: \d+ attempts, the last HTTP 400/,
    );
    const received = evaluator.for('gh-refused');
    const attempts = round.delivery?.notifications ?? [];
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(received).toHaveLength(attempts.length);
    expect(attempts.every((attempt) => attempt.status === 400)).toBe(true);
    // Each wait doubles, none is sent past the deadline, and the next one would have been.
    const notifyBy = Date.parse(round.notifyBy ?? '');
    expect(notifyBy - sentAt).toBeLessThanOrEqual(DEADLINE_MS + 1000);
    const times = attempts.map((attempt) => Date.parse(attempt.at));
    for (const [index, at] of times.entries()) {
      expect(at).toBeLessThan(notifyBy);
      if (index > 0)
        expect(at - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(1000 * 2 ** (index - 1) - 50);
    }
    const last = times.at(-1) ?? 0;
    expect(last + 1000 * 2 ** (times.length - 1)).toBeGreaterThan(notifyBy);
    // The site stays published and recorded: only the report failed.
    expect(round.commit_sha).toMatch(/^[0-9a-f]{40}$/);
  }, 180_000);
});
