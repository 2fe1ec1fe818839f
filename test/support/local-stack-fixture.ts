import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';
import type { FixView } from '../../shared/kinds/fix/use-cases/get-fix.js';

export interface StackFixture {
  stack: LocalStack;
  dataDir: string;
  stop(): Promise<void>;
}

/** One local stack per test file (handlers read their config once per process). */
export async function startStackFixture(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<StackFixture> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'truth-engine-test-')));
  const stack = await startLocalStack({
    port: 0,
    dataDir: dir,
    env: { SANDBOX_TIMEOUT_MS: '4000', ...env },
  });
  return {
    stack,
    dataDir: dir,
    stop: async () => {
      await stack.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function postFix(
  stack: LocalStack,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${stack.httpUrl}/v1/fixes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const TERMINAL = new Set(['verified', 'no_fix', 'not_reproduced', 'failed']);

/** Polls GET /v1/fixes/{id} until the session ends, as an API client would. */
export async function waitForResult(
  stack: LocalStack,
  sessionId: string,
  timeoutMs = 60_000,
): Promise<FixView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${stack.httpUrl}/v1/fixes/${sessionId}`);
    if (response.status !== 200) throw new Error(`GET answered ${response.status}: ${await response.text()}`);
    const view = (await response.json()) as FixView;
    if (TERMINAL.has(view.status)) return view;
    if (Date.now() > deadline)
      throw new Error(`session ${sessionId} still ${view.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
