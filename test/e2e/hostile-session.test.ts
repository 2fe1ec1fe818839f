import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFix } from '../../shared/client/fix-client.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import { type StackFixture, startStackFixture, waitForResult } from '../support/local-stack-fixture.js';

// A secret the server holds; no candidate may ever get it into anything stored or pushed.
const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const hostile = (name: string) => readFile(join(import.meta.dirname, '../fixtures/hostile', name), 'utf8');
let fixture: StackFixture;

beforeAll(async () => {
  process.env.TRUTH_ENGINE_CANARY = CANARY;
  fixture = await startStackFixture();
});

afterAll(async () => {
  await fixture?.stop();
  delete process.env.TRUTH_ENGINE_CANARY;
});

/**
 * Processes running as one of the sandbox's per-run uids (the pool starts at 200000) whose run is
 * over: its uid is no longer held in the pool's lock dir, which every runner on the host shares. A
 * run of another test file still going holds its uid, so only what outlived its own run counts.
 */
async function sandboxProcesses(): Promise<number[]> {
  const lockDir = join(tmpdir(), 'te-sandbox', 'uids');
  const held = new Set<string>();
  // A lock counts only while its owner (the pid it holds) lives: a dead owner's lock holds nothing.
  for (const uid of await readdir(lockDir).catch(() => [] as string[])) {
    const owner = (await readFile(join(lockDir, uid), 'utf8').catch(() => '')).trim();
    if (/^\d+$/.test(owner) && (await readFile(`/proc/${owner}/status`, 'utf8').catch(() => '')))
      held.add(uid);
  }
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    if (uid >= 200_000 && !held.has(String(uid))) found.push(Number(entry));
  }
  return found;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

const program = 'def area(w, h):\n    return w * w\n\n\nprint(area(3, 4))\n';
const fixed = program.replace('w * w', 'w * h');
const test = 'from program import area\n\nassert area(3, 4) == 12, area(3, 4)\nassert area(2, 5) == 10\n';

describe('A session with hostile candidates', () => {
  it('[fork bomb, memory bomb, parent environ, fix] → verified by the fix; no canary anywhere; nothing survives', async () => {
    const candidates = [
      await hostile('fork_bomb.py'),
      await hostile('memory_bomb.py'),
      await hostile('parent_environ.py'),
      fixed,
    ];
    const events: SessionEvent[] = [];
    const result = await requestFix({
      url: fixture.stack.wsUrl,
      request: { code: program, test, candidates },
      onEvent: (event) => events.push(event),
      timeoutMs: 60_000,
    });

    expect(result.status).toBe('verified');
    expect(result.winner?.index).toBe(4);
    const view = await waitForResult(fixture.stack, result.sessionId);
    expect(view.candidates.map((c) => c.status)).toEqual([
      expect.not.stringMatching(/^passed$/),
      expect.not.stringMatching(/^passed$/),
      expect.not.stringMatching(/^passed$/),
      'passed',
    ]);

    // The canary is in the server's environment, and nowhere a client or an operator can read.
    expect(process.env.TRUTH_ENGINE_CANARY).toBe(CANARY);
    expect(JSON.stringify(events)).not.toContain(CANARY);
    expect(JSON.stringify(view)).not.toContain(CANARY);
    const stored = await filesUnder(fixture.dataDir);
    expect(stored.length).toBeGreaterThan(0);
    for (const file of stored) expect(await readFile(file, 'latin1'), file).not.toContain(CANARY);

    // Nothing from the session outlives it.
    let survivors = await sandboxProcesses();
    for (let i = 0; i < 20 && survivors.length > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      survivors = await sandboxProcesses();
    }
    expect(survivors).toEqual([]);
  });
});
