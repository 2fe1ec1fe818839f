import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIR } from '../../infra/local/console-files.js';
import { confineToOrigin } from '../support/confined-context.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';

// The page-side globals the callbacks below use (this compilation has no DOM library).
// biome-ignore lint/suspicious/noExplicitAny: objects of the page, typed by the browser
type PageObject = any;
declare const window: PageObject;
declare const navigator: PageObject;

// Users in the web console, in real headless Chromium against the real local stack with
// AUTH=required: alice signs in through the local issuer's hosted UI (the authorization-code flow
// with PKCE the console runs against Cognito's in AWS), runs a fix that verifies, sees the quota bar
// count it and the session in My snippets, shares it, and an anonymous browser opens the link until
// she revokes it. Needs the console built (`npm run build:web`).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '../../test-artifacts/web');
const examples = join(import.meta.dirname, '../../infra/local/examples');
const ALICE = { name: 'alice', password: 'alice-pass-7Qx' };
const BOB = { name: 'bob', password: 'bob-pass-3Kd' };
/** A small allowance, so that the third verification of the day is refused. */
const ALLOWANCE = 2;

let fixture: StackFixture;
let browser: Browser;
let origin: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIR, 'index.html')))
    throw new Error(`the web console is not built (${CONSOLE_DIR}): run npm run build:web`);
  await mkdir(SHOTS, { recursive: true });
  [fixture, browser] = await Promise.all([
    startStackFixture({
      AUTH: 'required',
      LOCAL_USERS: `${ALICE.name}:${ALICE.password},${BOB.name}:${BOB.password}`,
      QUOTA_DAILY: String(ALLOWANCE),
    }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  origin = fixture.stack.httpUrl;
});

afterAll(async () => {
  await browser?.close();
  await fixture?.stop();
});

/** A browser context of its own (its own sessionStorage: no credential carries over). */
async function newPage(
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  // Nothing leaves the stack's origin (the console and the local issuer are both there).
  await confineToOrigin(context, origin);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

/** Signs in through the local hosted UI's form, from wherever the console's Sign in button is. */
async function signIn(page: Page, user: { name: string; password: string }): Promise<void> {
  const back = page.url();
  await page.getByTestId('identity').getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  const authorize = new URL(page.url());
  // The flow as Cognito's hosted UI is asked for it: a code, PKCE S256, a state, the callback.
  expect(authorize.searchParams.get('response_type')).toBe('code');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${origin}/auth/callback`);
  await page.getByLabel(/user ?name/i).fill(user.name);
  await page.getByLabel(/password/i).fill(user.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(back);
  await expect.poll(() => page.getByTestId('user').innerText()).toContain(user.name);
}

async function quotaText(page: Page): Promise<string> {
  return page.getByTestId('quota-text').innerText();
}

async function runExample(page: Page): Promise<string> {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => !!window.__te?.editors.program, null, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Load example' }).click();
  const program = await readFile(join(examples, 'average.py'), 'utf8');
  await expect.poll(() => page.evaluate(() => window.__te?.editors.program?.getValue())).toBe(program);
  await page.getByRole('button', { name: /^Run/ }).click();
  await page.waitForURL(/\/sessions\/[^/]+$/);
  await page.locator('[data-testid=final][data-status=verified]').waitFor({ timeout: 60_000 });
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
}

describe('users in the web console (AUTH=required)', () => {
  let alice: { context: BrowserContext; page: Page };
  let sessionId = '';
  let link = '';

  it('asks an anonymous visitor to sign in, and the API refuses them', async () => {
    const config = (await (await fetch(`${origin}/config.json`)).json()) as { auth: { mode: string } };
    expect(config.auth.mode).toBe('oauth');
    expect((await fetch(`${origin}/v1/me`)).status).toBe(401);
    const { context, page } = await newPage();
    await page.goto(`${origin}/history`);
    await page.getByTestId('sign-in-prompt').waitFor();
    expect(await page.getByTestId('identity').getByRole('button', { name: 'Sign in' }).isVisible()).toBe(
      true,
    );
    expect(await page.getByTestId('quota').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'users-signed-out.png') });
    await context.close();
  });

  it('signs alice in through the hosted UI and back to the page she was on', async () => {
    alice = await newPage();
    const { page } = alice;
    await page.goto(`${origin}/`);
    await signIn(page, ALICE);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect
      .poll(() => quotaText(page))
      .toMatch(new RegExp(`^0 of ${ALLOWANCE} verifications today · resets 00:00 UTC$`));
    // The credential is the ID token, kept for the tab only.
    const kept = await page.evaluate(() =>
      JSON.parse(window.sessionStorage.getItem('te.credential') ?? '{}'),
    );
    expect(kept.via).toBe('token');
    expect(kept.token.split('.')).toHaveLength(3);
  });

  it('runs a fix that verifies over the signed-in socket, and the quota bar counts it', async () => {
    const { page } = alice;
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    sessionId = await runExample(page);
    expect(sockets.some((url) => /[?&]token=[^&]+/.test(url))).toBe(true);
    await page.locator('[data-testid=console] li[data-type=result]').waitFor();
    await expect.poll(() => quotaText(page)).toMatch(new RegExp(`^1 of ${ALLOWANCE} verifications today`));
    await page.screenshot({ path: join(SHOTS, 'users-session.png') });
  });

  it('lists the session in My snippets, newest first, linking to it', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'My snippets' }).click();
    await page.waitForURL(`${origin}/history`);
    const row = page.locator(`[data-testid=history] tbody tr[data-session="${sessionId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('verified');
    expect(await row.innerText()).toContain('average.py');
    expect(await page.locator('[data-testid=history] tbody tr').first().getAttribute('data-session')).toBe(
      sessionId,
    );
    await row.getByRole('link').click();
    await page.waitForURL(`${origin}/sessions/${sessionId}`);
    await page.locator('[data-testid=final][data-status=verified]').waitFor();
  });

  it('shares the session: the link is copied and opens read-only in a browser with no credential', async () => {
    const { context, page } = alice;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.getByTestId('share').getByRole('button', { name: 'Share' }).click();
    const box = page.getByTestId('share-link');
    await box.waitFor();
    link = await box.inputValue();
    expect(link).toMatch(new RegExp(`^${origin}/s/[A-Za-z0-9_-]{16,}$`));
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.getByTestId('share-note').innerText()).toBe('Link copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    // The owner's view carries the token; My snippets marks it shared.
    const view = (await page.evaluate(
      async ([url, id]: [string, string]) => {
        const { token } = JSON.parse(window.sessionStorage.getItem('te.credential') ?? '{}');
        const answer = await fetch(`${url}/v1/fixes/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return answer.json();
      },
      [origin, sessionId] as [string, string],
    )) as {
      shareToken?: string;
      candidates: Array<{ index: number; code: string | null }>;
      winner: { index: number };
    };
    expect(link.endsWith(`/s/${view.shareToken}`)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'users-shared-owner.png'), fullPage: true });

    const anonymous = await newPage();
    await anonymous.page.goto(link);
    await anonymous.page.waitForFunction(() => (window.__te?.diff?.getLineChanges() ?? []).length > 0, null, {
      timeout: 20_000,
    });
    const sides = await anonymous.page.evaluate(() => ({
      original: window.__te?.diff?.getOriginalEditor().getValue(),
      modified: window.__te?.diff?.getModifiedEditor().getValue(),
    }));
    expect(sides.original).toBe(await readFile(join(examples, 'average.py'), 'utf8'));
    const winner = view.candidates.find((c) => c.index === view.winner.index);
    expect(sides.modified).toBe(winner?.code);
    expect(await anonymous.page.getByTestId('final').getAttribute('data-status')).toBe('verified');
    expect(await anonymous.page.getByTestId('shared-filename').innerText()).toBe('average.py');
    const passed = anonymous.page.locator('[data-testid=shared-candidates] tr[data-status=passed]');
    await expect.poll(() => passed.count()).toBeGreaterThan(0);
    expect(
      await anonymous.page.getByTestId('identity').getByRole('button', { name: 'Sign in' }).isVisible(),
    ).toBe(true);
    await anonymous.page.screenshot({ path: join(SHOTS, 'users-shared-anonymous.png'), fullPage: true });

    // Revoked, the same link is not shared any more, to the browser and to the API.
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('share').getByRole('button', { name: 'Share' }).waitFor();
    await anonymous.page.reload();
    await anonymous.page.getByTestId('not-shared').waitFor();
    expect(await anonymous.page.getByTestId('not-shared').innerText()).toContain(
      'This link is not shared any more',
    );
    const token = link.slice(link.lastIndexOf('/') + 1);
    expect((await fetch(`${origin}/v1/shared/${token}`)).status).toBe(404);
    await anonymous.page.screenshot({ path: join(SHOTS, 'users-not-shared.png') });
    await anonymous.context.close();
  });

  it("keeps alice's session from bob", async () => {
    const bob = await newPage();
    await bob.page.goto(`${origin}/sessions/${sessionId}`);
    await signIn(bob.page, BOB);
    await expect
      .poll(() => bob.page.getByRole('alert').filter({ hasText: 'Error:' }).innerText())
      .toMatch(/\S/);
    expect(await bob.page.getByTestId('share').count()).toBe(0);
    await bob.page.goto(`${origin}/history`);
    await bob.page.getByText('No snippets yet.').waitFor();
    await bob.context.close();
  });

  it('refuses a verification past the allowance with the reset time', async () => {
    const { page } = alice;
    await runExample(page);
    await expect
      .poll(() => quotaText(page))
      .toMatch(new RegExp(`^${ALLOWANCE} of ${ALLOWANCE} verifications`));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => !!window.__te?.editors.program, null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Load example' }).click();
    await page.getByRole('button', { name: /^Run/ }).click();
    const refusal = page.getByTestId('quota-alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/resets at 00:00 UTC \(in /);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.screenshot({ path: join(SHOTS, 'users-quota-used.png') });
  });

  it('signs a browser in with an API key alice made', async () => {
    const made = (await alice.page.evaluate(async (url: string) => {
      const { token } = JSON.parse(window.sessionStorage.getItem('te.credential') ?? '{}');
      const answer = await fetch(`${url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'console test' }),
      });
      return answer.json();
    }, origin)) as { key: string };
    expect(made.key).toMatch(/^te_[A-Za-z0-9_-]{43}$/);
    const machine = await newPage();
    await machine.page.goto(`${origin}/history`);
    await machine.page.getByRole('button', { name: 'Use an API key' }).click();
    await machine.page.getByLabel('API key', { exact: true }).fill('te_not-a-key');
    await machine.page.getByRole('button', { name: 'Use key' }).click();
    await expect
      .poll(() => machine.page.getByRole('form', { name: 'Sign in with an API key' }).innerText())
      .toContain('an API key is te_');
    await machine.page.getByLabel('API key', { exact: true }).fill(made.key);
    await machine.page.getByRole('button', { name: 'Use key' }).click();
    // A key's caller is known by id (a key carries no name).
    await expect
      .poll(() => machine.page.getByTestId('user').innerText())
      .toMatch(new RegExp(`${ALICE.name} \\(API key\\)$`));
    // The page reads again with the key.
    await machine.page.locator(`[data-testid=history] tbody tr[data-session="${sessionId}"]`).waitFor();
    await machine.context.close();
  });

  it('signs alice out through the hosted UI’s logout, back to the console signed out', async () => {
    const { context, page } = alice;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByTestId('identity').getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => window.sessionStorage.getItem('te.credential'))).toBeNull();
    await context.close();
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
