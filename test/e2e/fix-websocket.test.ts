import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { requestFix } from '../../shared/client/fix-client.js';
import { pve } from '../../shared/client/pve-cli.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import { type StackFixture, startStackFixture, waitForResult } from '../support/local-stack-fixture.js';

let fixture: StackFixture;
const examples = join(import.meta.dirname, '../../infra/local/examples');

beforeAll(async () => {
  fixture = await startStackFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

const program = 'total = 0\nfor n in range(1, 4):\n    total += n\nprint("sum", totl)\n';
const fixed = program.replace('totl', 'total');

/** Opens a socket, sends one message and collects events until `until` says stop. */
function converse(message: unknown, until: (event: SessionEvent) => boolean): Promise<SessionEvent[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(fixture.stack.wsUrl);
    const events: SessionEvent[] = [];
    const timer = setTimeout(() => reject(new Error(`no end event; got ${JSON.stringify(events)}`)), 30_000);
    socket.on('open', () => socket.send(typeof message === 'string' ? message : JSON.stringify(message)));
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as SessionEvent;
      events.push(event);
      if (until(event)) {
        clearTimeout(timer);
        socket.close();
        resolve(events);
      }
    });
    socket.on('error', reject);
  });
}

describe('WebSocket API on the local stack', () => {
  it('streams accepted, progress, candidate and result events for a fix', async () => {
    const events = await converse(
      { action: 'fix', code: program, candidates: [program, fixed] },
      (e) => e.type === 'result',
    );
    expect(events[0]?.type).toBe('accepted');
    const sessionId = events[0]?.sessionId;
    expect(events.every((event) => event.sessionId === sessionId)).toBe(true);
    expect(events.some((event) => event.type === 'progress')).toBe(true);
    const candidates = events.filter((event) => event.type === 'candidate');
    expect(candidates.map((event) => [event.index, event.role, event.status]).sort()).toEqual([
      [0, 'baseline', 'failed'],
      [1, 'candidate', 'failed'],
      [2, 'candidate', 'passed'],
    ]);
    const result = events.at(-1);
    expect(result).toMatchObject({ type: 'result', status: 'verified', winner: { index: 2 } });
  });

  it('answers a bad message with an error event naming the field, and keeps the socket usable', async () => {
    const [bad] = await converse({ action: 'fix', code: 12 }, () => true);
    expect(bad).toMatchObject({ type: 'error', field: 'code' });
    const [unknown] = await converse({ action: 'dance' }, () => true);
    expect(unknown).toMatchObject({ type: 'error', field: 'action' });
    const [notJson] = await converse('not json', () => true);
    expect(notJson).toMatchObject({ type: 'error', field: 'body' });
    const [missing] = await converse({ action: 'subscribe', sessionId: 'nope' }, () => true);
    expect(missing).toMatchObject({ type: 'error' });
  });

  it('subscribing to a finished session answers with its result', async () => {
    const first = await requestFix({
      url: fixture.stack.wsUrl,
      request: { code: program, candidates: [fixed] },
    });
    expect(first.status).toBe('verified');
    const [replay] = await converse({ action: 'subscribe', sessionId: first.sessionId }, () => true);
    expect(replay).toMatchObject({ type: 'result', sessionId: first.sessionId, status: 'verified' });
    const view = await waitForResult(fixture.stack, first.sessionId);
    expect(view.winner).toEqual(first.winner);
  });

  it('the pve CLI prints live progress and the verified diff, exit 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await pve(
      [
        'fix',
        join(examples, 'average.py'),
        '--test',
        join(examples, 'check_average.py'),
        '--error-file',
        join(examples, 'average.error.txt'),
        '--url',
        fixture.stack.wsUrl,
      ],
      { out: (line) => out.push(line), err: (line) => err.push(line), colour: false },
    );
    const text = out.join('\n');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(text).toContain('original program: failed — the problem reproduces');
    expect(text).toMatch(/candidate \d+ \[offline\]: passed/);
    expect(text).toContain('-    return totl / len(values)');
    expect(text).toContain('+    return total / len(values)');
  });

  it('the pve CLI exits 1 when nothing is verified and 2 on usage or connection errors', async () => {
    const io = { out: () => undefined, err: () => undefined, colour: false };
    const logicBug = join(examples, 'average.py');
    expect(await pve(['fix', logicBug, '--candidate', logicBug, '--url', fixture.stack.wsUrl], io)).toBe(1);
    expect(await pve(['fix'], io)).toBe(2);
    expect(await pve(['fix', logicBug, '--max-rounds', '7'], io)).toBe(2);
    expect(await pve(['fix', '/no/such/file.py', '--url', fixture.stack.wsUrl], io)).toBe(2);
    expect(await pve(['fix', logicBug, '--url', 'ws://127.0.0.1:9/ws'], io)).toBe(2);
  });

  it('the installed pve command runs as a real process', async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../../infra/local/bin/pve.js'), 'fix', join(examples, 'average.py')],
      {
        env: { ...process.env, TRUTH_ENGINE_URL: fixture.stack.wsUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // No error text and no test: round 1 has nothing to go on, round 2 uses the baseline's traceback.
    expect(stdout).toContain('verified: candidate');
    expect(exitCode).toBe(0);
  });
});
