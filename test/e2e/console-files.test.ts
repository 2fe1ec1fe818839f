import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';

// The local stack serving a console export (a small stand-in for web/out, so this needs no build).
let stack: LocalStack;
let dataDir: string;
let consoleDir: string;

const files: Record<string, string> = {
  'index.html': '<!doctype html><title>fix</title>',
  'sessions.html': '<!doctype html><title>sessions</title>',
  'sessions.txt': 'sessions rsc',
  'sessions/__next.sessions.__PAGE__.txt': 'sessions page rsc',
  'tasks.html': '<!doctype html><title>tasks</title>',
  'tasks.txt': 'tasks rsc',
  'tasks/__next._tree.txt': 'tasks tree rsc',
  's.html': '<!doctype html><title>shared</title>',
  's.txt': 'shared rsc',
  's/__next.s.__PAGE__.txt': 'shared page rsc',
  'history.html': '<!doctype html><title>history</title>',
  'auth/callback.html': '<!doctype html><title>callback</title>',
  '404.html': '<!doctype html><title>not found</title>',
  '_next/static/chunks/app-0123abcd.js': 'console.log(1)',
  '_next/static/chunks/app-0123abcd.css': 'body{}',
  'examples/average.json': '{"code":""}',
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-console-'));
  consoleDir = join(dataDir, 'out');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(consoleDir, name)), { recursive: true });
    await writeFile(join(consoleDir, name), text);
  }
  // A file beside the export that no request may reach.
  await writeFile(join(dataDir, 'secret.txt'), 'not for clients');
  stack = await startLocalStack({ port: 0, dataDir, consoleDir, env: { SANDBOX_TIMEOUT_MS: '4000' } });
});

afterAll(async () => {
  await stack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A GET with the path sent exactly as written (fetch would normalise dot segments). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: stack.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local stack serves the web console', () => {
  it('serves pages and assets with their content types and caching', async () => {
    const index = await fetch(`${stack.httpUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>fix</title>');

    const script = await fetch(`${stack.httpUrl}/_next/static/chunks/app-0123abcd.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const style = await fetch(`${stack.httpUrl}/_next/static/chunks/app-0123abcd.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');

    const example = await fetch(`${stack.httpUrl}/examples/average.json`);
    expect(example.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(example.headers.get('cache-control')).toBe('no-cache');

    const config = await fetch(`${stack.httpUrl}/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-cache');
    // The local stack signs a request without a credential in as its default user (AUTH=auto).
    expect(await config.json()).toEqual({
      apiUrl: '',
      wsUrl: '',
      auth: { mode: 'auto', user: { id: 'local-user', name: 'Local user' } },
    });
  });

  it('rewrites client-routed pages and their payloads to their one static page', async () => {
    const text = async (path: string) => {
      const response = await fetch(`${stack.httpUrl}${path}`);
      expect(response.status, path).toBe(200);
      return response.text();
    };
    expect(await text('/sessions/abc123')).toContain('<title>sessions</title>');
    expect(await text('/sessions/abc123/')).toContain('<title>sessions</title>');
    expect(await text('/sessions/abc123.txt')).toBe('sessions rsc');
    expect(await text('/sessions/abc123/__next.sessions.__PAGE__.txt')).toBe('sessions page rsc');
    expect(await text('/sessions')).toContain('<title>sessions</title>');
    expect(await text('/tasks/sales-report/2')).toContain('<title>tasks</title>');
    expect(await text('/tasks/sales-report/2.txt')).toBe('tasks rsc');
    expect(await text('/tasks/sales-report/2/__next._tree.txt')).toBe('tasks tree rsc');
    expect(await text('/s/Zx8_q-3kTt')).toContain('<title>shared</title>');
    expect(await text('/s/Zx8_q-3kTt/')).toContain('<title>shared</title>');
    expect(await text('/s/Zx8_q-3kTt.txt')).toBe('shared rsc');
    expect(await text('/s/Zx8_q-3kTt/__next.s.__PAGE__.txt')).toBe('shared page rsc');
    expect(await text('/history')).toContain('<title>history</title>');
    expect(await text('/auth/callback?code=abc&state=xyz')).toContain('<title>callback</title>');
  });

  it('answers 404 for what the export does not have', async () => {
    for (const path of [
      '/nope',
      '/_next/static/chunks/missing.js',
      '/sessions/a/b',
      '/tasks/only-task',
      '/s/a/b',
    ]) {
      const response = await fetch(`${stack.httpUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
  });

  it('never shadows the API, the WebSocket, artifacts or pages', async () => {
    const health = await fetch(`${stack.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const missing = await fetch(`${stack.httpUrl}/v1/fixes/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect(typeof ((await missing.json()) as { error: unknown }).error).toBe('string');
    const refused = await fetch(`${stack.httpUrl}/v1/fixes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '' }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { field: string }).field).toBe('code');
    expect((await fetch(`${stack.httpUrl}/artifacts/some/key`)).status).toBe(403);
    const pages = await fetch(`${stack.httpUrl}/pages/nobody/nothing/`);
    expect(await pages.text()).not.toContain('<title>not found</title>');
    // The local issuer's endpoints are the gateway's, never console files.
    for (const path of ['/oauth2/authorize', '/oauth2/token', '/logout', '/.well-known/jwks.json']) {
      const answer = await fetch(`${stack.httpUrl}${path}`, { redirect: 'manual' });
      expect(await answer.text(), path).not.toMatch(/<title>(?:not found|fix)<\/title>/);
    }
    const socket = new WebSocket(stack.wsUrl);
    const event = await new Promise<Record<string, unknown>>((resolve, reject) => {
      socket.on('open', () => socket.send(JSON.stringify({ action: 'dance' })));
      socket.on('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
      socket.on('error', reject);
    });
    socket.close();
    expect(event).toMatchObject({ type: 'error', field: 'action' });
  });

  it('refuses to leave the export directory', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/_next/..%2f..%2fsecret.txt',
      '/sessions/..%2f..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/index.html%00.js',
    ]) {
      const { status, body } = await rawGet(path);
      expect(status, path).toBe(404);
      expect(body, path).not.toContain('not for clients');
    }
  });

  it('says how to build the console when the export is missing', async () => {
    await rm(join(consoleDir, 'index.html'));
    try {
      const response = await fetch(`${stack.httpUrl}/`);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('npm run build:web');
      expect((await fetch(`${stack.httpUrl}/health`)).status).toBe(200);
    } finally {
      await writeFile(join(consoleDir, 'index.html'), files['index.html'] as string);
    }
  });
});
