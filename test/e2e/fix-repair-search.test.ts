import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SessionEvent } from '../../shared/domain/events.js';
import { SEARCH_SOURCE, WEAK_SEARCH_NOTE } from '../../shared/kinds/fix/use-cases/continue-search.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';

/**
 * The offline repair search through the whole local stack (no model key): the fix state machine
 * runs the search's batches in the sandbox function, the controller turns the patches into
 * candidates, and the Map and the judge verify them like any other.
 */

let fixture: StackFixture;

beforeAll(async () => {
  // A short slice, so a slow harness's search spans several batches and reports between them.
  fixture = await startStackFixture({ REPAIR_SEARCH_SLICE_MS: '1000' });
});

afterAll(async () => {
  await fixture?.stop();
});

/** Sends a fix over the socket and collects its events until the result. */
function fixOverSocket(request: Record<string, unknown>): Promise<SessionEvent[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(fixture.stack.wsUrl);
    const events: SessionEvent[] = [];
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no result; got ${JSON.stringify(events)}`));
    }, 120_000);
    socket.on('open', () => socket.send(JSON.stringify({ action: 'fix', ...request })));
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as SessionEvent;
      events.push(event);
      if (event.type === 'result' || event.type === 'error') {
        clearTimeout(timer);
        socket.close();
        resolve(events);
      }
    });
    socket.on('error', reject);
  });
}

async function session(id: string) {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/fixes/${id}`);
  return (await response.json()) as {
    status: string;
    rounds: number;
    notes: string[];
    winner: { index: number; diff: string | null } | null;
    candidates: Array<{ index: number; source: string; title?: string; status?: string }>;
  };
}

const progressOf = (events: SessionEvent[]) =>
  events.flatMap((event) => (event.type === 'progress' ? [event] : []));

describe('Repair search on the local stack, offline', () => {
  it('verifies fib from its test in round 1, the winner one constant away, with progress on the way', async () => {
    const events = await fixOverSocket({
      filename: 'fib.py',
      code: 'def fib(n):\n    if n <= 1:\n        return n\n    return fib(n-1) + fib(n-3)\n',
      test: 'from fib import fib\nassert [fib(i) for i in range(8)] == [0,1,1,2,3,5,8,13]\n',
    });
    const result = events.at(-1);
    expect(result).toMatchObject({ type: 'result', status: 'verified', rounds: 1 });
    const searching = progressOf(events).filter((event) => event.stage === 'searching');
    expect(searching[0]?.message).toMatch(/^no known fix matched/);
    const sessionId = String(result?.sessionId);
    const view = await session(sessionId);
    const winner = view.candidates.find((candidate) => candidate.index === view.winner?.index);
    expect(winner?.source).toBe(SEARCH_SOURCE);
    expect(winner?.title).toBe('constant edit on line 4');
    expect(view.winner?.diff).toContain('+    return fib(n-1) + fib(n-2)');
    expect(
      view.notes.some((note) => /^Repair search: \d+ edits tried in [\d.]+ s; 1 passed/.test(note)),
    ).toBe(true);
    expect(view.notes).toContain(
      `The winner, candidate ${view.winner?.index}, came from the repair search: constant edit on line 4.`,
    );
    // The search's candidate ran in the Map like any other: it has its own candidate event.
    const candidateEvents = events.filter((event) => event.type === 'candidate');
    expect(candidateEvents.map((event) => [event.role, event.source, event.status])).toContainEqual([
      'candidate',
      SEARCH_SOURCE,
      'passed',
    ]);
  }, 150_000);

  it('verifies area from its traceback in round 1, and the notes say the evidence is weak', async () => {
    const events = await fixOverSocket({
      code: 'def area(r):\n    return 3.14159 * radius * r\n\nprint(area(2))\n',
      error:
        'Traceback (most recent call last):\n  File "program.py", line 4, in <module>\n    print(area(2))\n  File "program.py", line 2, in area\n    return 3.14159 * radius * r\nNameError: name \'radius\' is not defined\n',
    });
    expect(events.at(-1)).toMatchObject({ type: 'result', status: 'verified', rounds: 1 });
    const view = await session(String(events.at(-1)?.sessionId));
    expect(view.winner?.diff).toContain('+    return 3.14159 * r * r');
    expect(view.notes).toContain(WEAK_SEARCH_NOTE);
  }, 150_000);

  it('verifies total_price from the last line of its TypeError: the templates read the whole traceback first, then the search', async () => {
    const events = await fixOverSocket({
      code: 'def total_price(items):\n    total = 0\n    for item in items:\n        total += item["price"] * item["qty"]\n    return total\n\nprint(total_price([{"price": "3", "qty": 2}]))\n',
      error: "TypeError: unsupported operand type(s) for +=: 'int' and 'str'",
    });
    // Round 1's templates had no line to go on; round 2's read the original run's traceback, found
    // no safe rewrite, and the search ran beside them.
    expect(events.at(-1)).toMatchObject({ type: 'result', status: 'verified', rounds: 2 });
    const view = await session(String(events.at(-1)?.sessionId));
    expect(view.winner?.diff).toMatch(/\+ {8}total \+= (int|float)\(item\["price"\]\) \* item\["qty"\]/);
    const winner = view.candidates.find((candidate) => candidate.index === view.winner?.index);
    expect(winner?.title).toBe('conversion edit on line 4');
  }, 150_000);

  it('reports its progress between batches, edits tried going up, and still verifies', async () => {
    // Every run of this test takes a quarter second, so the search needs several one-second batches.
    const events = await fixOverSocket({
      filename: 'main.py',
      code: 'def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return lo\n',
      test: 'import time\nfrom main import clamp\ntime.sleep(0.25)\nassert clamp(5, 0, 10) == 5\nassert clamp(-1, 0, 10) == 0\nassert clamp(11, 0, 10) == 10\n',
    });
    expect(events.at(-1)).toMatchObject({ type: 'result', status: 'verified' });
    const lines = progressOf(events)
      .filter((event) => event.stage === 'searching')
      .map((event) => event.message)
      .filter((message) => message.startsWith('searching:'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const tried = lines.map((line) =>
      Number(/^searching: (\d+)\/(\d+) edits, \d+ passing so far$/.exec(line)?.[1]),
    );
    expect(tried.every((n, i) => n > 0 && (i === 0 || n > (tried[i - 1] ?? 0)))).toBe(true);
    const view = await session(String(events.at(-1)?.sessionId));
    expect(view.winner?.diff).toContain('+    return x');
  }, 150_000);
});
