import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pve } from '../../shared/client/pve-cli.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import { MAX_WS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import {
  postFix,
  type StackFixture,
  startStackFixture,
  waitForResult,
} from '../support/local-stack-fixture.js';

let fixture: StackFixture;

beforeAll(async () => {
  fixture = await startStackFixture({ SANDBOX_TIMEOUT_MS: '8000' });
});

afterAll(async () => {
  await fixture?.stop();
});

/** A program of about `bytes` bytes: many assignments, then the function under test. */
function bigProgram(bytes: number, prefix: string, answer: number): string {
  const line = (i: number) => `${prefix}_${String(i).padStart(6, '0')} = ${i}\n`;
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes - 100; i += 1) {
    const text = line(i);
    lines.push(text);
    size += text.length;
  }
  return `${lines.join('')}\ndef answer():\n    return ${answer}\n`;
}

// The harness prints more than a result keeps (64 KiB a stream), so each run's full logs go up too.
const test = "from program import answer\n\nprint('log line\\n' * 20000)\nassert answer() == 42, answer()\n";

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('Sizes: a 1 MiB program with a 1 MiB rewrite', () => {
  it('round-trips through POST, the sandbox, the judge and GET, within the platform limits', async () => {
    // Prepare: every line differs, so the diff is a full replacement; nothing fits a payload inline.
    const original = bigProgram(1024 * 1024 - 200, 'old', 41);
    const rewrite = bigProgram(1024 * 1024 - 200, 'new', 42);

    // Act
    const { status, json } = await postFix(fixture.stack, { code: original, test, candidates: [rewrite] });
    expect(status).toBe(202);
    const view = await waitForResult(fixture.stack, String(json.sessionId));

    // Assess
    expect(view.status).toBe('verified');
    expect(view.baseline?.status).toBe('failed');
    const [candidate] = view.candidates;
    expect(candidate?.code).toBe(rewrite);
    expect(candidate?.fullReplacement).toBe(true);
    expect(view.winner?.index).toBe(1);
    expect(view.winner?.diff?.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(view.expired).toBe(false);
    // The view stays within a Lambda response (6 MB, its body escaped once more): the rest by URL.
    const raw = await (await fetch(`${fixture.stack.httpUrl}/v1/fixes/${view.sessionId}`)).text();
    expect(Buffer.byteLength(JSON.stringify({ statusCode: 200, body: raw }))).toBeLessThan(6 * 1024 * 1024);
    expect(candidate?.diff).toBeNull();
    const byUrl = await fetch(String(candidate?.diffUrl));
    expect(await byUrl.text()).toBe(view.winner?.diff);
    // The full logs (cut in the result) came up through the presigned upload, not through the store.
    const logs = (await allFiles(fixture.dataDir)).filter((path) => path.includes(`${view.sessionId}/logs/`));
    expect(logs.map((path) => path.split('/').at(-1)).sort()).toEqual(['0.json', '1.json']);
    expect(candidate?.stdoutTruncated).toBe(true);
  }, 60_000);

  it('answers 413 naming the body past what a Lambda invocation carries', async () => {
    const { status, json } = await postFix(fixture.stack, { code: 'x = 1\n'.repeat(500_000) });
    expect(status).toBe(413);
    expect(json).toMatchObject({ field: 'body' });
  });
});

describe('Idempotency-Key on POST /v1/fixes', () => {
  const post = (key: string, body: unknown) =>
    fetch(`${fixture.stack.httpUrl}/v1/fixes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
  const body = { code: 'print(1 / 0)\n', candidates: ['print(1)\n'] };

  it('gives the same session for the same key and body, and starts nothing new', async () => {
    // Act: a client retrying after a lost answer, at once and later.
    const [first, second] = await Promise.all([post('retry-1', body), post('retry-1', body)]);
    const firstJson = (await first.json()) as { sessionId: string };
    const secondJson = (await second.json()) as { sessionId: string };
    await waitForResult(fixture.stack, firstJson.sessionId);
    const later = await post('retry-1', { candidates: body.candidates, code: body.code });

    // Assess
    expect([first.status, second.status, later.status]).toEqual([202, 202, 202]);
    expect(secondJson.sessionId).toBe(firstJson.sessionId);
    const laterJson = (await later.json()) as { sessionId: string; status: string };
    expect(laterJson).toEqual({ sessionId: firstJson.sessionId, status: 'verified' });
    expect(later.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses the same key with another body (409), and a malformed key (400), naming the header', async () => {
    await post('reuse-1', body);
    const conflict = await post('reuse-1', { ...body, code: 'print(2 / 0)\n' });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ field: 'Idempotency-Key' });
    const malformed = await post('has spaces in it', body);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ field: 'Idempotency-Key' });
  });
});

describe('Expiry: a session whose artifacts have lapsed', () => {
  it('still answers 200 with its verdicts, and says plainly what expired', async () => {
    // Prepare: a finished session, then its artifacts aged past the 7-day lifetime.
    const { json } = await postFix(fixture.stack, {
      code: 'print(1 / 0)\n',
      test,
      candidates: ['print(1)\n'],
    });
    const sessionId = String(json.sessionId);
    const fresh = await waitForResult(fixture.stack, sessionId);
    const old = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    const sessionDir = join(fixture.dataDir, 'artifacts', 'sessions', sessionId);
    for (const path of await allFiles(sessionDir)) await utimes(path, old, old);

    // Act
    const response = await fetch(`${fixture.stack.httpUrl}/v1/fixes/${sessionId}`);

    // Assess
    expect(response.status).toBe(200);
    const view = (await response.json()) as typeof fresh;
    expect(view.status).toBe(fresh.status);
    expect(view.expired).toBe(true);
    expect(view.harness).toEqual({ kind: 'test', origin: 'client', expired: true });
    expect(view.candidates[0]).toMatchObject({ status: fresh.candidates[0]?.status, code: null, diff: null });
    expect(view.candidates[0]?.stdout).toBeNull();
    expect(view.baseline?.status).toBe(fresh.baseline?.status);
    // Expired artifacts are removed as the bucket's lifecycle would.
    await expect(stat(join(sessionDir, 'reproduce_issue.py'))).rejects.toThrow(/ENOENT/);
  });
});

describe('WebSocket frames', () => {
  it('sends a request over one frame through POST, and reads a diff too large for the result event by GET', async () => {
    // Prepare: a 60 KB program whose fix rewrites every line.
    const dir = fixture.dataDir;
    const original = bigProgram(60_000, 'old', 41);
    await writeFile(join(dir, 'program.py'), original);
    await writeFile(join(dir, 'check.py'), test);
    await writeFile(join(dir, 'fixed.py'), bigProgram(60_000, 'new', 42));
    expect(Buffer.byteLength(JSON.stringify({ action: 'fix', code: original }))).toBeGreaterThan(
      MAX_WS_MESSAGE_BYTES,
    );
    const lines: string[] = [];

    // Act
    const exit = await pve(
      [
        'fix',
        join(dir, 'program.py'),
        '--test',
        join(dir, 'check.py'),
        '--candidate',
        join(dir, 'fixed.py'),
        '--url',
        fixture.stack.wsUrl,
      ],
      { out: (line) => lines.push(line), err: (line) => lines.push(`ERR ${line}`), colour: false },
    );

    // Assess
    expect(exit).toBe(0);
    const output = lines.join('\n');
    expect(output).toContain('verified: candidate 1');
    expect(output).toContain('+new_000000 = 0');
    expect(output).toContain('-old_000000 = 0');
  }, 60_000);

  it('keeps every pushed event within a 32 KB frame', async () => {
    // Prepare: a subscriber on the raw socket, counting every frame it receives.
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(fixture.stack.wsUrl);
    await new Promise((resolve) => socket.once('open', resolve));
    const frames: Buffer[] = [];
    const result = new Promise<SessionEvent>((resolve) => {
      socket.on('message', (data: Buffer) => {
        frames.push(data);
        const event = JSON.parse(data.toString()) as SessionEvent;
        if (event.type === 'result') resolve(event);
      });
    });
    const { json } = await postFix(fixture.stack, {
      code: bigProgram(40_000, 'old', 41),
      test,
      candidates: [bigProgram(40_000, 'new', 42)],
    });
    socket.send(JSON.stringify({ action: 'subscribe', sessionId: json.sessionId }));

    // Act
    const event = await result;
    socket.close();

    // Assess
    expect(event).toMatchObject({
      type: 'result',
      status: 'verified',
      winner: { index: 1, diffOmitted: true },
    });
    for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(MAX_WS_MESSAGE_BYTES);
  }, 60_000);
});

describe('GET /health after a run', () => {
  it('reports the containment the sandbox measured and returned with its results, and when', async () => {
    // Prepare: at least one session above has run a candidate.
    const response = await fetch(`${fixture.stack.httpUrl}/health`);

    // Assess
    const body = (await response.json()) as { sandbox: string; sandboxMeasuredAt?: string };
    expect(body.sandbox).toBe(fixture.stack.containment);
    expect(Date.parse(String(body.sandboxMeasuredAt))).toBeGreaterThan(Date.now() - 5 * 60 * 1000);
  });
});
