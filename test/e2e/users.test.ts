import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_CLIENT_ID, type LocalUser } from '../../infra/local/local-issuer.js';
import { createUserStore } from '../../shared/adapters/aws-clients.js';
import { readTableConfig } from '../../shared/config/auth-config.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';
import { meanFixed, meanProgram, meanTest } from '../support/mean-program.js';

/*
 * Users on the local stack with AUTH=required, as the AWS deployment behaves: every route but the
 * health check and share links wants a credential; sessions are their owner's alone; a daily
 * allowance of verifications; API keys for machines; share links for anyone.
 */

let fixture: StackFixture;
const alice: LocalUser = { sub: 'local:alice', name: 'alice', email: 'alice@localhost' };
const bob: LocalUser = { sub: 'local:bob', name: 'bob' };
const carol: LocalUser = { sub: 'local:carol', name: 'carol' };
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  fixture = await startStackFixture({ AUTH: 'required', LOCAL_USERS: 'alice:wonderland,bob:builder' });
  aliceToken = await fixture.stack.issuer.sign(alice);
  bobToken = await fixture.stack.issuer.sign(bob);
});

afterAll(async () => {
  await fixture?.stop();
});

const program = meanProgram;
const fixed = meanFixed;
const test = meanTest;
/** Verify mode: the given fix is run once, so a session verifies (or not) in about a second. */
const verifying = { code: program, test, candidates: [fixed] };
const failing = { code: program, test, candidates: [program.replace(' + 1', ' + 2')] };

async function call(
  path: string,
  options: { credential?: string; method?: string; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${fixture.stack.httpUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
}

async function finished(sessionId: string, credential: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { status, json } = await call(`/v1/fixes/${sessionId}`, { credential });
    expect(status).toBe(200);
    if (['verified', 'no_fix', 'not_reproduced', 'failed'].includes(String(json.status))) return json;
    if (Date.now() > deadline) throw new Error(`session ${sessionId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens a WebSocket with the credential; resolves with the socket, or rejects with the refused upgrade's status. */
function connect(credential?: string): Promise<WebSocket> {
  const url = new URL(fixture.stack.wsUrl);
  if (credential) url.searchParams.set('token', credential);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

function nextEvent(socket: WebSocket): Promise<SessionEvent> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
}

describe('signing in (AUTH=required)', () => {
  it('answers 401 on every user route without a credential, and serves health and share links without one', async () => {
    for (const [method, path] of [
      ['GET', '/v1/me'],
      ['POST', '/v1/fixes'],
      ['GET', '/v1/fixes'],
      ['GET', '/v1/keys'],
      ['GET', '/v1/fixes/2b0c5d4e-0000-4000-8000-000000000000'],
      ['GET', '/v1/tasks/some-task/rounds/1'],
    ]) {
      const response = await fetch(`${fixture.stack.httpUrl}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
    expect((await call('/health')).status).toBe(200);
    expect((await call('/v1/shared/AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });

  it('refuses tokens from another issuer, expired, tampered or forged, and what is no credential at all, with 401', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT({ token_use: 'id', name: 'mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: (await exportJWK(publicKey)).n?.slice(0, 8) ?? 'k' })
      .setIssuer(fixture.stack.issuer.issuer)
      .setAudience(LOCAL_CLIENT_ID)
      .setSubject(alice.sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const expired = await fixture.stack.issuer.sign(alice, -60);
    const [head, payload, signature] = aliceToken.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const tampered = `${head}.${payload}.${flipped}`;
    // The payload changed to another user, the signature left as it was.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: bob.sub })).toString('base64url')}.${signature}`;
    for (const [what, credential] of [
      ['another issuer', stranger],
      ['expired', expired],
      ['tampered signature', tampered],
      ['forged claims', forged],
      ['not a token', 'hello'],
      ['a malformed key', 'te_short'],
      ['an unknown key', `te_${'A'.repeat(43)}`],
    ] as const) {
      const response = await call('/v1/me', { credential });
      expect(response.status, what).toBe(401);
    }
    expect((await call('/v1/me', { credential: aliceToken })).status).toBe(200);
  });

  it('refuses a WebSocket upgrade without a credential or with a bad one, and admits a signed-in user', async () => {
    await expect(connect()).rejects.toThrow('HTTP 401');
    await expect(connect(await fixture.stack.issuer.sign(alice, -60))).rejects.toThrow('HTTP 401');
    const socket = await connect(aliceToken);
    socket.send(JSON.stringify({ action: 'subscribe', sessionId: '2b0c5d4e-0000-4000-8000-000000000000' }));
    expect(await nextEvent(socket)).toMatchObject({
      type: 'error',
      message: expect.stringContaining('no session'),
    });
    socket.close();
  });

  it('signs in through the local hosted UI with PKCE and the token it issues works', async () => {
    const origin = fixture.stack.httpUrl;
    const verifier = 'v'.repeat(50);
    const challenge = Buffer.from(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)),
    ).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: LOCAL_CLIENT_ID,
      redirect_uri: `${origin}/auth/callback`,
      state: 'st4te',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'openid',
    });
    const authorize = `${origin}/oauth2/authorize?${query}`;
    expect((await fetch(authorize)).status).toBe(200);
    const wrong = await fetch(authorize, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'nope' }),
      redirect: 'manual',
    });
    expect(wrong.status).toBe(401);
    const signedIn = await fetch(authorize, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'wonderland' }),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(302);
    const back = new URL(signedIn.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(`${origin}/auth/callback`);
    expect(back.searchParams.get('state')).toBe('st4te');
    const exchange = (verifierSent: string) =>
      fetch(`${origin}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: back.searchParams.get('code') ?? '',
          client_id: LOCAL_CLIENT_ID,
          redirect_uri: `${origin}/auth/callback`,
          code_verifier: verifierSent,
        }),
      });
    const tokens = (await (await exchange(verifier)).json()) as { id_token: string };
    const me = await call('/v1/me', { credential: tokens.id_token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ user: { id: 'local:alice', name: 'alice' }, via: 'token' });
    // A code works once.
    expect((await exchange(verifier)).status).toBe(400);
    // A redirect elsewhere is refused before any sign-in.
    const elsewhere = new URLSearchParams(query);
    elsewhere.set('redirect_uri', 'https://evil.example/cb');
    expect((await fetch(`${origin}/oauth2/authorize?${elsewhere}`)).status).toBe(400);
  });
});

describe('API keys', () => {
  it('work on HTTP and WebSocket until revoked; are shown once, listed by their last four, made only with a token', async () => {
    const made = await call('/v1/keys', { credential: aliceToken, body: { name: 'laptop' } });
    expect(made.status).toBe(201);
    const key = String(made.json.key);
    expect(key).toMatch(/^te_[A-Za-z0-9_-]{43}$/);
    const listed = await call('/v1/keys', { credential: aliceToken });
    expect(listed.json.keys).toEqual([
      { keyId: made.json.keyId, name: 'laptop', createdAt: made.json.createdAt, lastFour: key.slice(-4) },
    ]);
    expect(JSON.stringify(listed.json)).not.toContain(key);
    expect((await call('/v1/me', { credential: key })).json).toMatchObject({
      user: { id: alice.sub },
      via: 'key',
    });
    // A key cannot make or revoke keys.
    expect((await call('/v1/keys', { credential: key, body: { name: 'more' } })).status).toBe(403);
    expect((await call('/v1/keys', { credential: aliceToken, body: { name: '' } })).json.field).toBe('name');
    const socket = await connect(key);
    socket.close();
    // Bob cannot revoke Alice's key.
    expect(
      (await call(`/v1/keys/${made.json.keyId}`, { credential: bobToken, method: 'DELETE' })).status,
    ).toBe(404);
    expect(
      (await call(`/v1/keys/${made.json.keyId}`, { credential: aliceToken, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await call('/v1/me', { credential: key })).status).toBe(401);
    await expect(connect(key)).rejects.toThrow('HTTP 401');
  });
});

describe('the daily allowance', () => {
  it('with an allowance of 2: no_fix consumes nothing, two sessions verify, the third is refused with 429 and the reset time', async () => {
    const users = createUserStore(readTableConfig(process.env));
    await users.setAllowance(carol.sub, 2);
    const token = await fixture.stack.issuer.sign(carol);
    const before = await call('/v1/me', { credential: token });
    expect(before.json.quota).toMatchObject({ allowance: 2, used: 0, remaining: 2 });

    const miss = await call('/v1/fixes', { credential: token, body: failing });
    expect(miss.status).toBe(202);
    expect((await finished(String(miss.json.sessionId), token)).status).toBe('no_fix');
    expect((await call('/v1/me', { credential: token })).json.quota).toMatchObject({ used: 0 });

    for (let n = 1; n <= 2; n += 1) {
      const accepted = await call('/v1/fixes', { credential: token, body: verifying });
      expect(accepted.status).toBe(202);
      expect((await finished(String(accepted.json.sessionId), token)).status).toBe('verified');
      expect((await call('/v1/me', { credential: token })).json.quota).toMatchObject({
        used: n,
        remaining: 2 - n,
      });
    }
    const refused = await call('/v1/fixes', { credential: token, body: verifying });
    expect(refused.status).toBe(429);
    const resetsAt = new Date(String(refused.json.resetsAt));
    expect(resetsAt.getTime()).toBeGreaterThan(Date.now());
    expect(resetsAt.toISOString()).toMatch(/T00:00:00\.000Z$/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
    // The WebSocket refuses it the same way.
    const socket = await connect(token);
    socket.send(JSON.stringify({ action: 'fix', ...verifying }));
    expect(await nextEvent(socket)).toMatchObject({
      type: 'error',
      message: expect.stringContaining('used'),
    });
    socket.close();
  });
});

describe('owners, history and share links', () => {
  it('keeps a session to its owner: another user can neither read, list, follow nor share it', async () => {
    const accepted = await call('/v1/fixes', { credential: aliceToken, body: verifying });
    const sessionId = String(accepted.json.sessionId);
    await finished(sessionId, aliceToken);
    const asBob = await call(`/v1/fixes/${sessionId}`, { credential: bobToken });
    expect(asBob.status).toBe(404);
    expect(asBob.json).toEqual({ error: `no session ${sessionId}` });
    const bobs = await call('/v1/fixes?mine', { credential: bobToken });
    expect(JSON.stringify(bobs.json)).not.toContain(sessionId);
    expect((await call(`/v1/fixes/${sessionId}/share`, { credential: bobToken, body: {} })).status).toBe(404);
    const socket = await connect(bobToken);
    socket.send(JSON.stringify({ action: 'subscribe', sessionId }));
    expect(await nextEvent(socket)).toMatchObject({ type: 'error', message: `no session ${sessionId}` });
    socket.close();
    // Alice follows it.
    const own = await connect(aliceToken);
    own.send(JSON.stringify({ action: 'subscribe', sessionId }));
    expect(await nextEvent(own)).toMatchObject({ type: 'result', sessionId, status: 'verified' });
    own.close();
  });

  it('lists a user’s sessions newest first, a page at a time, with an opaque cursor', async () => {
    const dave = await fixture.stack.issuer.sign({ sub: 'local:dave', name: 'dave' });
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const accepted = await call('/v1/fixes', { credential: dave, body: failing });
      ids.push(String(accepted.json.sessionId));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(`/v1/fixes?mine&limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        credential: dave,
      });
      expect(page.status).toBe(200);
      const items = page.json.items as Array<{ sessionId: string; kind: string }>;
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((item) => item.sessionId));
      cursor = page.json.cursor as string | undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await call('/v1/fixes?limit=0', { credential: dave })).json.field).toBe('limit');
    expect((await call('/v1/fixes?cursor=bogus', { credential: dave })).json.field).toBe('cursor');
    for (const id of ids) await finished(id, dave);
  });

  it('shows a shared session to anyone with the link, without notes or providers, until revoked', async () => {
    const accepted = await call('/v1/fixes', { credential: aliceToken, body: verifying });
    const sessionId = String(accepted.json.sessionId);
    await finished(sessionId, aliceToken);
    const shared = await call(`/v1/fixes/${sessionId}/share`, { credential: aliceToken, body: {} });
    expect(shared.status).toBe(201);
    const token = String(shared.json.token);
    expect(shared.json.path).toBe(`/s/${token}`);
    expect(
      (await call(`/v1/fixes/${sessionId}/share`, { credential: aliceToken, body: {} })).json.token,
    ).toBe(token);
    expect((await call(`/v1/fixes/${sessionId}`, { credential: aliceToken })).json.shareToken).toBe(token);
    const listed = await call('/v1/fixes?mine', { credential: aliceToken });
    expect(
      (listed.json.items as Array<{ sessionId: string; shared: boolean }>).find(
        (item) => item.sessionId === sessionId,
      )?.shared,
    ).toBe(true);

    const view = await call(`/v1/shared/${token}`);
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ status: 'verified', original: program, winner: { code: fixed } });
    expect(String((view.json.winner as { diff: string }).diff)).toContain(
      '-    return sum(values) / len(values) + 1',
    );
    for (const internal of ['notes', 'calls', 'reason', 'sessionId', 'owner', 'category']) {
      expect(view.json, internal).not.toHaveProperty(internal);
    }
    expect(JSON.stringify(view.json)).not.toContain('source');

    expect(
      (await call(`/v1/fixes/${sessionId}/share`, { credential: aliceToken, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await call(`/v1/shared/${token}`)).status).toBe(404);
    expect((await call(`/v1/fixes/${sessionId}`, { credential: aliceToken })).json).not.toHaveProperty(
      'shareToken',
    );
  });
});
