import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
let dataDir: string;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts `npm start`'s entry point as its own process and waits for it to print its URL. */
async function start(): Promise<Started> {
  const child = spawn(TSX, ['infra/local/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      SANDBOX_TIMEOUT_MS: '8000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match?.[1]) return { child, url: match[1], output: () => output, exit };
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the stack did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start', () => {
  it('serves, stops cleanly on SIGTERM mid-session, and resumes the session at the next start', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-start-'));
    const first = await start();
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    // A session whose candidate is still sleeping when the stack is told to stop.
    const response = await fetch(`${first.url}/v1/fixes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'raise SystemExit(3)\n', candidates: ['import time\ntime.sleep(2)\n'] }),
    });
    const { sessionId } = (await response.json()) as { sessionId: string };
    await new Promise((resolve) => setTimeout(resolve, 500));
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.output()).toContain('SIGTERM: stopping');

    const second = await start();
    expect(second.output()).toContain('recovered  1 resumed, 0 marked failed');
    let status = '';
    for (let i = 0; i < 200 && !['verified', 'no_fix', 'failed'].includes(status); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = ((await (await fetch(`${second.url}/v1/fixes/${sessionId}`)).json()) as { status: string })
        .status;
    }
    expect(status).toBe('verified');

    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });
});
