import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';
import { FakeEvaluator } from '../support/fake-evaluator.js';
import { FakeProviderServer } from '../support/llm-fakes/fake-provider-server.js';
import { GEMINI_ROUTE, geminiAnswer } from '../support/llm-fakes/gemini-api.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';
import {
  compiledHeading,
  honestSite,
  llmPagesCompiled,
  llmPagesPartialSite,
  llmPagesSite,
  movedScriptSite,
  networkSite,
  salesTask,
  spinningSite,
  suffixedSite,
} from '../support/task-sites.js';

let gemini: FakeProviderServer;
let evaluator: FakeEvaluator;
let fixture: StackFixture;

/** The worked sales task, reporting to this file's loopback evaluator. */
const salesTaskHere = (nonce: string, task?: string) => ({
  ...salesTask(nonce, task),
  evaluation_url: evaluator.url,
});

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
    TASK_AUTH_FAILURES_PER_WINDOW: '3',
    // Four browsers at once on two busy cores: room enough for an honest page, the spinning one still stopped.
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

async function postTask(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function waitForRound(task: string, round: number, timeoutMs = 90_000): Promise<TaskRoundView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks/${task}/rounds/${round}`);
    if (response.status === 200) {
      const view = (await response.json()) as TaskRoundView;
      if (!['queued', 'running'].includes(view.status)) return view;
    } else if (response.status !== 404) {
      throw new Error(`GET answered ${response.status}: ${await response.text()}`);
    }
    if (Date.now() > deadline) throw new Error(`task ${task} round ${round} did not finish in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function subscribeOnce(message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(fixture.stack.wsUrl);
    socket.once('open', () => socket.send(JSON.stringify(message)));
    socket.once('message', (data) => {
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
      socket.close();
    });
    socket.once('error', reject);
  });
}

describe('POST /v1/tasks on the local stack', () => {
  it('builds three candidate sites and the honest one wins in a real browser, check by check', async () => {
    // One call compiles the check no rule knows; the next writes the three sites.
    gemini.enqueue(
      geminiAnswer(compiledHeading),
      geminiAnswer({ candidates: [suffixedSite, honestSite, movedScriptSite] }),
    );
    const accepted = await postTask(salesTaskHere('n-honest'));
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ status: 'accepted', task: 'sales-summary', round: 1 });

    const view = await waitForRound('sales-summary', 1);
    expect(view.status).toBe('verified');
    const honest = view.candidates.find((candidate) => candidate.title === 'Honest');
    expect(view.winner?.index).toBe(honest?.index);
    expect(view.winner?.files?.map((file) => file.path)).toEqual(
      expect.arrayContaining(['index.html', 'LICENSE', 'README.md']),
    );
    expect(view.checks?.map((check) => [check.how, check.status])).toEqual([
      ['given', 'passed'],
      ['given', 'passed'],
      ['given', 'passed'],
      ['rule', 'passed'],
      ['model', 'passed'],
    ]);
    const passed = Object.fromEntries(
      view.candidates.map((candidate) => [candidate.title, candidate.passed]),
    );
    // The baseline (an empty site) is answered with the host's 404 page, as Pages would: its <h1>
    // passes the heading check and nothing else. Each broken site loses the checks graders caught.
    expect(passed).toEqual({ 'The site before this round': 1, Suffixed: 3, Honest: 5, 'Moved script': 4 });
    // /health reports each runner's containment as measured, the browser's apart from Python's.
    const health = (await (await fetch(`${fixture.stack.httpUrl}/health`)).json()) as Record<string, string>;
    expect(health.browserSandbox).toMatch(/^ns \(.*seccomp/);
    expect(Date.parse(health.browserSandboxMeasuredAt ?? '')).toBeGreaterThan(Date.now() - 5 * 60 * 1000);
    expect(health.sandbox).toBe(fixture.stack.containment);
    // A WebSocket subscriber names the round as the evaluator does and gets its verdict at once.
    const result = await subscribeOnce({ action: 'subscribe', task: 'sales-summary', round: 1 });
    expect(result).toMatchObject({
      type: 'result',
      sessionId: accepted.json.sessionId,
      status: 'verified',
      checks: { passed: 5, failed: 0, unverified: 0 },
    });
    // The model got the wire shapes it is asked for, as JSON with a schema.
    const generate = JSON.parse(gemini.requests[1]?.body ?? '{}') as {
      generationConfig?: Record<string, unknown>;
    };
    expect(generate.generationConfig?.responseMimeType).toBe('application/json');
    // `responseJsonSchema`: the schema form that takes `type: [..., "null"]`, which `js: null` needs.
    expect(generate.generationConfig?.responseJsonSchema).toMatchObject({ type: 'object' });
  });

  it("revises a built round: the published site is the baseline, the model gets its files, the README stays the engine's", async () => {
    // Round 1 of sales-summary was built above; its winner is what round 2 revises.
    const footer = (text: string) =>
      honestSite.files[0]?.content.replace('</body>', `<footer id="footer">${text}</footer>\n</body>`) ?? '';
    gemini.enqueue(
      geminiAnswer({
        candidates: [
          { ...honestSite, title: 'Footer', files: [{ path: 'index.html', content: footer('Updated') }] },
          { ...honestSite, title: 'Wrong footer', files: [{ path: 'index.html', content: footer('Old') }] },
        ],
      }),
    );
    const revise = {
      ...salesTaskHere('n-revise-2'),
      round: 2,
      brief: 'Add a footer with id "footer" that reads "Updated"; keep everything else.',
      checks: [
        'js: document.querySelector("#footer")?.textContent === "Updated"',
        `js: document.title === "Sales Summary 2024"`,
      ],
    };
    const accepted = await postTask(revise);
    expect(accepted.status).toBe(200);
    const view = await waitForRound('sales-summary', 2);
    expect(view.status).toBe('verified');
    const byTitle = Object.fromEntries(view.candidates.map((candidate) => [candidate.title, candidate]));
    // The baseline is round 1's site: it has the title, not the footer, so the checks can fail.
    expect(byTitle['The site before this round']?.passed).toBe(1);
    expect(view.winner?.index).toBe(byTitle.Footer?.index);
    expect(view.winner?.files?.map((file) => file.path).sort()).toEqual(
      ['LICENSE', 'README.md', 'index.html'].sort(),
    );
    // No rule was needed and no model compiled anything: the one call wrote the revisions, given the published files.
    expect(gemini.requests).toHaveLength(1);
    expect(gemini.requests[0]?.body).toContain('total-sales');
  });

  it('takes the worked example: 200 at once, then a judged winner with every check accounted for', async () => {
    const example = JSON.parse(
      await readFile(new URL('../fixtures/task-llmpages.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    gemini.enqueue(
      geminiAnswer(llmPagesCompiled),
      geminiAnswer({
        candidates: [llmPagesPartialSite, llmPagesSite, { ...llmPagesPartialSite, title: 'Partial again' }],
      }),
    );
    const accepted = await postTask({
      ...example,
      secret: 'task-test-secret',
      evaluation_url: evaluator.url,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ status: 'accepted', task: 'LLMPages', round: 1 });
    const view = await waitForRound('LLMPages', 1);
    // One check no page can decide: the best site is delivered, and the round says it is partial.
    expect(view.status).toBe('partial');
    const complete = view.candidates.find((candidate) => candidate.title === 'Complete');
    expect(view.winner?.index).toBe(complete?.index);
    expect(view.checks?.map((check) => check.status)).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'unverified',
    ]);
    expect(view.checks?.[10]).toMatchObject({ how: 'none', why: expect.any(String) });
    expect(view.winner?.files?.map((file) => file.path)).toEqual(
      expect.arrayContaining(['uid.txt', 'LICENSE', 'README.md']),
    );
  });

  it('stops a site that spins, tells a site that reaches out that nothing answered, and the others complete', async () => {
    gemini.enqueue(
      geminiAnswer(compiledHeading),
      geminiAnswer({ candidates: [spinningSite, networkSite, honestSite] }),
    );
    const accepted = await postTask(salesTaskHere('n-hostile', 'hostile-sites'));
    expect(accepted.status).toBe(200);
    const view = await waitForRound('hostile-sites', 1);
    expect(view.status).toBe('verified');
    const byTitle = Object.fromEntries(view.candidates.map((candidate) => [candidate.title, candidate]));
    expect(byTitle.Spinning?.status).toMatch(/timeout|crashed/);
    expect(byTitle.Spinning?.passed ?? 0).toBe(0);
    expect(byTitle.Network?.refusedRequests).toContain(
      'external request not verifiable offline: api.example.com',
    );
    expect(view.winner?.index).toBe(byTitle.Honest?.index);
  });

  it('answers the same (task, round, nonce) with the same session, and starts nothing twice', async () => {
    gemini.enqueue(geminiAnswer(compiledHeading), geminiAnswer({ candidates: [honestSite] }));
    const body = salesTaskHere('n-once', 'once-only');
    const [first, second] = await Promise.all([postTask(body), postTask(body)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.json.sessionId).toBe(first.json.sessionId);
    await waitForRound('once-only', 1);
    const third = await postTask(body);
    expect(third.json.sessionId).toBe(first.json.sessionId);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    // One execution: one compile call and one generate call, whatever the retries.
    expect(gemini.requests).toHaveLength(2);
    const other = await postTask({ ...body, brief: `${body.brief} Also a footer.` });
    expect(other.status).toBe(409);
    expect(other.json.field).toBe('nonce');
  });

  it.each([
    ['round', { round: 0 }],
    ['round', { round: 1.5 }],
    ['task', { task: '../escape' }],
    ['evaluation_url', { evaluation_url: 'ftp://example.com/x' }],
    ['checks', { checks: [] }],
    ['checks.0', { checks: ['  '] }],
    ['attachments.0.name', { attachments: [{ name: '../uid.txt', url: 'data:text/plain;base64,MQ==' }] }],
    ['attachments.0.url', { attachments: [{ name: 'uid.txt', url: 'data:text/plain;base64,***' }] }],
    [
      'attachments.1.name',
      {
        attachments: [
          { name: 'a.txt', url: 'data:,1' },
          { name: 'a.txt', url: 'data:,2' },
        ],
      },
    ],
  ])('answers 400 naming %s', async (field, change) => {
    const response = await postTask({ ...salesTaskHere('n-bad', 'bad-task'), ...change });
    expect(response.status).toBe(400);
    expect(response.json.field).toBe(field);
  });

  it('refuses a revise of a task never built here, naming round', async () => {
    const response = await postTask({ ...salesTaskHere('n-revise', 'never-built'), round: 2 });
    expect(response.status).toBe(400);
    expect(response.json.field).toBe('round');
  });

  it('answers 404 for a round it does not have, over HTTP and to a subscriber', async () => {
    const response = await fetch(`${fixture.stack.httpUrl}/v1/tasks/nothing-here/rounds/1`);
    expect(response.status).toBe(404);
    const refused = await subscribeOnce({ action: 'subscribe', task: 'nothing-here', round: 1 });
    expect(refused).toMatchObject({ type: 'error' });
    const malformed = await subscribeOnce({ action: 'subscribe', task: 'x', round: 0 });
    expect(malformed).toMatchObject({ type: 'error', field: 'round' });
  });

  // Last: it leaves this source rate-limited for the rest of the window.
  it('refuses a wrong or missing secret with 403 and slows down a source that keeps trying', async () => {
    const wrong = await postTask({ ...salesTaskHere('n-secret', 'secret-task'), secret: 'not-it' });
    expect(wrong.status).toBe(403);
    expect(JSON.stringify(wrong.json)).not.toContain('task-test-secret');
    const { secret: _secret, ...missing } = salesTaskHere('n-secret', 'secret-task');
    expect((await postTask(missing)).status).toBe(403);
    expect((await postTask({ ...salesTaskHere('n-secret', 'secret-task'), secret: 'again' })).status).toBe(
      403,
    );
    // Three refused in the window: this source is turned away even with the right secret.
    const limited = await postTask(salesTaskHere('n-secret', 'secret-task'));
    expect(limited.status).toBe(429);
    expect(gemini.requests).toHaveLength(0);
  });
});
