import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIR } from '../../infra/local/console-files.js';
import { readExampleTask, taskBody } from '../../infra/local/example-task.js';
import { LocalEvaluator } from '../../infra/local/local-evaluator.js';
import { confineToOrigin } from '../support/confined-context.js';
import {
  postFix,
  type StackFixture,
  startStackFixture,
  waitForResult,
} from '../support/local-stack-fixture.js';

// The callbacks handed to page.evaluate run in the browser. This compilation has no DOM library
// (the engine's own code must not see one), so the browser globals they use are declared here,
// loosely: the browser types them.
// biome-ignore lint/suspicious/noExplicitAny: objects of the page, typed by the browser
type PageObject = any;
declare const window: PageObject;
declare const document: PageObject;
declare const DataTransfer: PageObject;
declare const ClipboardEvent: PageObject;
declare const getComputedStyle: PageObject;
type HTMLElement = PageObject;
type Element = PageObject;

// The web console in real headless Chromium against the real local stack. Needs the console built
// (`npm run build:web`; `npm test` does it in pretest).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '../../test-artifacts/web');
const examples = join(import.meta.dirname, '../../infra/local/examples');

let fixture: StackFixture;
let evaluator: LocalEvaluator;
let browser: Browser;
/** The bundled evaluator task (`npm run demo:task`), posted at the start and read at the end. */
let taskRound: { task: string; round: number } | undefined;
const TASK_SECRET = 'web-console-task-secret';
let origin: string;
const requested: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIR, 'index.html')))
    throw new Error(`the web console is not built (${CONSOLE_DIR}): run npm run build:web`);
  await mkdir(SHOTS, { recursive: true });
  const example = await readExampleTask(join(examples, 'task-sales.json'));
  const sent = { email: example.email, task: example.task, round: example.round, nonce: randomUUID() };
  [fixture, browser, evaluator] = await Promise.all([
    startStackFixture({
      TASK_SECRET,
      TASK_ALLOW_LOOPBACK_CALLBACK: 'true',
      GITHUB_TOKEN: '',
      GITHUB_TOKEN_SECRET_ARN: '',
      TASK_SECRET_ARN: '',
    }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    LocalEvaluator.start(sent),
  ]);
  origin = fixture.stack.httpUrl;
  const body = taskBody(example, { secret: TASK_SECRET, nonce: sent.nonce, evaluationUrl: evaluator.url });
  const accepted = await fetch(`${origin}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (accepted.status !== 200) throw new Error(`POST /v1/tasks answered ${accepted.status}`);
  taskRound = { task: example.task, round: example.round };
});

afterAll(async () => {
  await browser?.close();
  await fixture?.stop();
  await evaluator?.close();
});

async function newPage(
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  // Every request, workers' included; anything off the stack's origin is refused, so a miss is loud.
  context.on('request', (request) => requested.push(request.url()));
  await confineToOrigin(context, origin);
  const page = await context.newPage();
  page.on('websocket', (socket) => requested.push(socket.url()));
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

async function editorReady(page: Page, id: string): Promise<void> {
  await page.waitForFunction((editor) => !!window.__te?.editors[editor], id, { timeout: 30_000 });
}

/** Types text into a Monaco editor with the keyboard, as a person would (auto-indent and closing off). */
async function typeInto(page: Page, id: string, text: string): Promise<void> {
  await editorReady(page, id);
  await page.evaluate((editor) => {
    window.__te?.editors[editor]?.updateOptions({
      autoIndent: 'none',
      autoClosingBrackets: 'never',
      autoClosingQuotes: 'never',
      autoClosingComments: 'never',
      autoSurround: 'never',
      quickSuggestions: false,
      suggestOnTriggerCharacters: false,
      acceptSuggestionOnEnter: 'off',
      wordBasedSuggestions: 'off',
      formatOnType: false,
    });
  }, id);
  await page.click(`[data-testid=editor-${id}] .monaco-editor .view-lines`);
  await page.keyboard.type(text);
}

const editorValue = (page: Page, id: string) =>
  page.evaluate((editor) => window.__te?.editors[editor]?.getValue() ?? null, id);

/** The console's own alert (Monaco and Next.js keep empty role=alert regions of their own). */
const apiAlert = (page: Page) => page.getByRole('alert').filter({ hasText: 'Error:' });

async function waitForFinal(page: Page, status: string, timeout = 60_000): Promise<string> {
  const final = page.locator(`[data-testid=final][data-status=${status}]`);
  await final.waitFor({ timeout });
  return final.innerText();
}

/** Waits for a task round to end and its delivery to settle, as the page reads it. */
async function waitForTaskRound(task: string, round: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${origin}/v1/tasks/${task}/rounds/${round}`);
    if (response.status === 200) {
      const view = (await response.json()) as {
        status: string;
        checks: Array<{ status: string }> | null;
        candidates: unknown[];
        pages_url: string | null;
        commit_sha: string | null;
        delivery: { stage: string } | null;
      };
      const settled = !view.delivery || ['delivered', 'failed'].includes(view.delivery.stage);
      if (!['queued', 'running'].includes(view.status) && settled) return view;
    }
    if (Date.now() > deadline) throw new Error(`task ${task} round ${round} did not end in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForDiff(page: Page): Promise<number> {
  await page.waitForFunction(() => (window.__te?.diff?.getLineChanges() ?? []).length > 0, null, {
    timeout: 20_000,
  });
  return page.evaluate(() => window.__te?.diff?.getLineChanges()?.length ?? 0);
}

describe('web console', () => {
  let sessionId = '';
  let program = '';

  it('types the example, takes a pasted traceback, runs it and shows the verified diff', async () => {
    program = await readFile(join(examples, 'average.py'), 'utf8');
    const test = await readFile(join(examples, 'check_average.py'), 'utf8');
    const traceback = await readFile(join(examples, 'average.error.txt'), 'utf8');
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    await page.getByLabel('File name').fill('average.py');
    await typeInto(page, 'program', program);
    expect(await editorValue(page, 'program')).toBe(program);
    await page.getByRole('tab', { name: 'Test (optional)' }).click();
    await typeInto(page, 'test', test);
    expect(await editorValue(page, 'test')).toBe(test);
    await page.getByRole('tab', { name: 'Program' }).click();

    // A real paste event on Monaco's textarea, carrying the traceback.
    await page.evaluate((text) => {
      const area = document.querySelector('[data-testid=editor-program] textarea');
      if (!area) throw new Error('no textarea in the program editor');
      const data = new DataTransfer();
      data.setData('text/plain', text);
      area.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, traceback);
    await expect.poll(() => page.getByLabel('Error or traceback').inputValue()).toBe(traceback);
    expect(await editorValue(page, 'program')).toBe(program);
    const highlighted = await page.evaluate(() =>
      window.__te?.editors.program
        ?.getModel()
        ?.getAllDecorations()
        .filter((d: PageObject) => d.options.className === 'te-error-line')
        .map((d: PageObject) => d.range.startLineNumber),
    );
    expect(highlighted).toEqual([8]);
    await page.locator('[data-testid=editor-program] .te-error-line').waitFor();
    expect(await page.getByTestId('form-note').innerText()).toContain('line 8 of average.py');
    await page.screenshot({ path: join(SHOTS, 'fix-form.png') });

    await page.getByRole('button', { name: /^Run/ }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    sessionId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
    expect(sessionId).not.toBe('');
    const final = await waitForFinal(page, 'verified');
    expect(final).toMatch(/^verified/);
    // The baseline row is the original program and failed; a candidate passed, with its time.
    const baseline = page.locator('[data-testid=candidates] tr[data-index="0"]');
    await expect.poll(() => baseline.getAttribute('data-status')).toBe('failed');
    expect(await baseline.innerText()).toContain('original program');
    const passed = page.locator('[data-testid=candidates] tr[data-status=passed]');
    await expect.poll(() => passed.count()).toBeGreaterThan(0);
    expect(await passed.first().getByTestId('duration').innerText()).toMatch(/\d+ ms/);
    // The console has a line per event: accepted, progress stages, each candidate, the result.
    const types = await page
      .locator('[data-testid=console] li[data-type]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    expect(types[0]).toBe('accepted');
    expect(types).toContain('progress');
    expect(types).toContain('candidate');
    expect(types.at(-1)).toBe('result');
    expect(await waitForDiff(page)).toBeGreaterThan(0);
    const sides = await page.evaluate(() => ({
      original: window.__te?.diff?.getOriginalEditor().getValue(),
      modified: window.__te?.diff?.getModifiedEditor().getValue(),
    }));
    expect(sides.original).toBe(program);
    expect(sides.modified).toContain('return total / len(values)');
    expect(await page.getByRole('button', { name: 'Copy fixed code' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: /^Download/ }).isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'session-verified.png'), fullPage: true });

    // A reload of the session's own address shows the same, from GET and a subscribe.
    await page.reload();
    expect(await waitForFinal(page, 'verified')).toBe(final);
    expect(await waitForDiff(page)).toBeGreaterThan(0);
    const reloaded = await page.evaluate(() => window.__te?.diff?.getOriginalEditor().getValue());
    expect(reloaded).toBe(program);
    expect(await page.getByTestId('session-id').innerText()).toBe(sessionId);
    await context.close();
  });

  it('loads the bundled example and runs it with Ctrl+Enter', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    await editorReady(page, 'program');
    await page.getByRole('button', { name: 'Load example' }).click();
    await expect.poll(() => editorValue(page, 'program')).toBe(program);
    expect(await page.getByLabel('File name').inputValue()).toBe('average.py');
    await page.locator('[data-testid=editor-program] .te-error-line').waitFor();
    await page.getByLabel('Rounds (1–3)').focus();
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(/\/sessions\/[^/]+$/);
    await waitForFinal(page, 'verified');
    await context.close();
  });

  it('shows why a session ended without a fix', async () => {
    const { json } = await postFix(fixture.stack, {
      code: 'print("hello")\n',
      test: 'import sys\nsys.exit("the harness always fails")\n',
      maxRounds: 1,
    });
    const id = String(json.sessionId);
    const view = await waitForResult(fixture.stack, id);
    expect(view.status).toBe('no_fix');
    const { context, page } = await newPage();
    await page.goto(`${origin}/sessions/${id}`);
    const final = await waitForFinal(page, 'no_fix');
    expect(final).toContain('no fix');
    expect(final).toContain(view.reason ?? '');
    expect(await page.getByText('No candidate passed').isVisible()).toBe(true);
    await context.close();
  });

  it("shows the API's refusal: empty code, rounds out of range, an unknown session", async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    await editorReady(page, 'program');
    await page.getByRole('button', { name: /^Run/ }).click();
    await expect.poll(() => apiAlert(page).innerText()).toContain('code must not be empty');

    // Past the form's own check: the request as sent carries 7 rounds.
    await page.route(`${origin}/v1/fixes`, (route) =>
      route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), maxRounds: 7 }) }),
    );
    await typeInto(page, 'program', 'print(1)\n');
    await page.getByRole('button', { name: /^Run/ }).click();
    await expect.poll(() => apiAlert(page).innerText()).toContain('maxRounds must be 1 to 3');
    expect(page.url()).toBe(`${origin}/`);

    await page.goto(`${origin}/sessions/no-such-session`);
    await expect.poll(() => apiAlert(page).innerText()).toContain('no session no-such-session');
    await page.goto(`${origin}/tasks/no-such-task/1`);
    await expect.poll(() => apiAlert(page).innerText()).toMatch(/\S/);
    await context.close();
  });

  it('reconnects and resubscribes when the socket drops', async () => {
    const { context, page } = await newPage();
    const subscribes: string[] = [];
    let connections = 0;
    // The first socket drops as soon as it subscribes, before any answer; later ones reach the stack.
    await page.routeWebSocket(/\/ws$/, (socket) => {
      connections++;
      if (connections === 1) {
        socket.onMessage((message) => {
          subscribes.push(String(message));
          socket.close({ code: 4001, reason: 'dropped by the test' });
        });
        return;
      }
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        subscribes.push(String(message));
        server.send(message);
      });
    });
    await page.goto(`${origin}/sessions/${sessionId}`);
    // The result comes over the second socket (the page's GET alone already says verified).
    await page.locator('[data-testid=console] li[data-type=result]').waitFor({ timeout: 15_000 });
    await waitForFinal(page, 'verified');
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(subscribes.slice(0, 2).map((message) => JSON.parse(message))).toEqual([
      { action: 'subscribe', sessionId },
      { action: 'subscribe', sessionId },
    ]);
    const results = await page.locator('[data-testid=console] li[data-type=result]').count();
    expect(results).toBe(1);
    await context.close();
  });

  it('is usable with the keyboard alone: Tab reaches Run (Ctrl+M lets Tab leave an editor)', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    await editorReady(page, 'program');
    const seen: string[] = [];
    for (let step = 0; step < 25; step++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element) return '';
        if (element.closest('.monaco-editor')) return 'editor';
        return `${element.tagName.toLowerCase()}:${element.getAttribute('aria-label') ?? element.id ?? ''}:${element.textContent?.trim().slice(0, 20) ?? ''}`;
      });
      seen.push(focused);
      if (focused === 'editor') await page.keyboard.press('Control+M');
      if (focused.startsWith('button::Run')) break;
    }
    expect(seen.at(-1)).toMatch(/^button::Run/);
    expect(seen).toContain('editor');
    expect(seen.some((item) => item.startsWith('textarea:') && item.includes('error'))).toBe(true);
    // The focused button shows it (a visible outline or ring).
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
    });
    expect(ring).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => apiAlert(page).innerText()).toContain('code must not be empty');
    await context.close();
  });

  it('works at 375 px wide: Run is visible and usable', async () => {
    const { context, page } = await newPage({ width: 375, height: 740 });
    await page.goto(`${origin}/`);
    await editorReady(page, 'program');
    const run = page.getByRole('button', { name: /^Run/ });
    await run.scrollIntoViewIfNeeded();
    const box = await run.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(375);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(SHOTS, 'fix-375.png'), fullPage: true });
    await run.click();
    await expect.poll(() => apiAlert(page).innerText()).toContain('code must not be empty');
    await page.goto(`${origin}/sessions/${sessionId}`);
    await waitForFinal(page, 'verified');
    expect(await waitForDiff(page)).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(SHOTS, 'session-375.png'), fullPage: true });
    await context.close();
  });

  it('shows a task round: checks with verdicts, sites with scores, the published links', async () => {
    if (!taskRound) throw new Error('no task round was posted');
    const { task, round } = taskRound;
    const view = await waitForTaskRound(task, round);
    const { context, page } = await newPage();
    await page.goto(`${origin}/tasks/${task}/${round}`);
    const status = page.getByTestId('task-status');
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toContain(view.status);
    const checks = page.getByTestId('checks').locator('li');
    expect(await checks.count()).toBe(view.checks?.length ?? -1);
    const first = view.checks?.[0];
    if (first) expect(await checks.first().innerText()).toContain(first.status);
    expect(await page.getByTestId('sites').locator('tbody tr').count()).toBe(view.candidates.length);
    if (view.pages_url) {
      await expect
        .poll(() => page.getByRole('link', { name: /^pages:/ }).getAttribute('href'))
        .toBe(view.pages_url);
    }
    if (view.commit_sha) expect(await page.getByText(view.commit_sha).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'task-round.png'), fullPage: true });
    await context.close();
  });

  it('made every request to the stack and raised no page errors', () => {
    expect(requested.length).toBeGreaterThan(0);
    const host = new URL(origin).host;
    const elsewhere = requested.filter((url) => {
      if (url.startsWith('blob:') || url.startsWith('data:')) return false;
      return new URL(url).host !== host;
    });
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
