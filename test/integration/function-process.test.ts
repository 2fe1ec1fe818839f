import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FunctionInvocationError, FunctionProcess } from '../../infra/local/function-process.js';

describe('Class: FunctionProcess (a function host the local stack runs)', () => {
  it('fails the invocations sent to a host that just died, as Lambda fails them, and the stack lives on', async () => {
    // Prepare
    const host = await FunctionProcess.start(['sandbox']);
    const job = {
      item: { sessionId: 's', round: 1, index: 0, role: 'baseline' },
      run: { filename: 'program.py', harness: { kind: 'runs' }, original: { text: 'print(1)\n' } },
    };
    expect(await host.invoke('sandbox', job)).toMatchObject({ status: 'passed' });

    // Act: killed without warning, and invoked once it is dead but before this process has seen
    // its exit (in the same tick: the event loop has not run since).
    // Its warm interpreter goes too: it holds a copy of every fd the host had.
    const pid = host.pid ?? 0;
    const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .trim()
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
    for (const child of [...children, pid]) process.kill(child, 'SIGKILL');
    const dead = (p: number) => {
      try {
        return /\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return true;
      }
    };
    while (![...children, pid].every(dead)) {
      // zombies (their sockets closed) within a few milliseconds
    }
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => host.invoke('sandbox', job)));

    // Assess
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(FunctionInvocationError);
      expect(error.name).toBe('Lambda.ServiceException');
    }
    await host.close();
  }, 60_000);
});
