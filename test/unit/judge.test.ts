import { describe, expect, it } from 'vitest';
import type { RunResult, Verdict } from '../../shared/domain/types.js';
import { judge } from '../../shared/kinds/fix/judge.js';

const run = (status: Verdict, durationMs = 10, reason?: string): RunResult => ({
  status,
  exitCode: status === 'passed' ? 0 : 1,
  durationMs,
  stdout: '',
  stderr: '',
  ...(reason ? { reason } : {}),
});

describe('Function: judge', () => {
  it('names no winner when the baseline passes (not reproduced), even if candidates pass', () => {
    const judgement = judge(run('passed'), [{ index: 1, result: run('passed', 5), changedLines: 2 }]);
    expect(judgement.status).toBe('not_reproduced');
    expect(judgement.winner).toBeNull();
  });

  it('fails the session when the baseline was blocked or never ran', () => {
    expect(judge(run('blocked', 0, 'import subprocess (line 1)'), []).status).toBe('failed');
    expect(judge(run('blocked', 0, 'import subprocess (line 1)'), []).reason).toContain('import subprocess');
    expect(judge(undefined, [{ index: 1, result: run('passed'), changedLines: 1 }]).status).toBe('failed');
  });

  it('picks the fastest passing candidate', () => {
    const judgement = judge(run('failed'), [
      { index: 1, result: run('passed', 40), changedLines: 1 },
      { index: 2, result: run('failed', 5), changedLines: 1 },
      { index: 3, result: run('passed', 12), changedLines: 9 },
    ]);
    expect(judgement).toMatchObject({ status: 'verified', winner: { index: 3, durationMs: 12 } });
  });

  it('breaks a tie in whole milliseconds by the smallest change, then by index', () => {
    const byDiff = judge(run('failed'), [
      { index: 1, result: run('passed', 20.2), changedLines: 6 },
      { index: 2, result: run('passed', 19.9), changedLines: 2 },
    ]);
    expect(byDiff.winner?.index).toBe(2);
    const byIndex = judge(run('timeout'), [
      { index: 4, result: run('passed', 20), changedLines: 2 },
      { index: 3, result: run('passed', 20), changedLines: 2 },
    ]);
    expect(byIndex.winner?.index).toBe(3);
  });

  it('counts a timed-out baseline, or one the program crashed itself, as a reproduction', () => {
    expect(judge(run('timeout'), [{ index: 1, result: run('passed'), changedLines: 1 }]).status).toBe(
      'verified',
    );
    const memoryBomb: RunResult = { ...run('crashed'), crashedBy: 'program', reason: 'memory limit' };
    expect(judge(memoryBomb, [{ index: 1, result: run('passed'), changedLines: 1 }]).status).toBe('verified');
  });

  it('never counts a crash of the sandbox itself as a reproduction', () => {
    const throttled: RunResult = {
      ...run('crashed'),
      crashedBy: 'sandbox',
      reason: 'the sandbox failed: Lambda.TooManyRequestsException',
    };
    const judgement = judge(throttled, [{ index: 1, result: run('passed'), changedLines: 1 }]);
    expect(judgement).toMatchObject({ status: 'failed', winner: null });
    expect(judgement.reason).toContain('TooManyRequestsException');
    // A crash with no cause on record (stored before causes were kept) is not evidence either.
    expect(judge(run('crashed'), [{ index: 1, result: run('passed'), changedLines: 1 }]).status).toBe(
      'failed',
    );
  });

  it('never names a crashed candidate the winner', () => {
    const crashedFast: RunResult = { ...run('crashed', 1), crashedBy: 'program' };
    const judgement = judge(run('failed'), [
      { index: 1, result: crashedFast, changedLines: 1 },
      { index: 2, result: run('passed', 50), changedLines: 9 },
    ]);
    expect(judgement.winner?.index).toBe(2);
    expect(judge(run('failed'), [{ index: 1, result: crashedFast, changedLines: 1 }]).status).toBe('no_fix');
  });

  it('says no_fix when nothing passes, with the reason', () => {
    const none = judge(run('failed'), []);
    expect(none).toMatchObject({ status: 'no_fix', winner: null });
    expect(none.reason).toContain('no candidate');
    const allFail = judge(run('failed'), [
      { index: 1, result: run('timeout'), changedLines: 1 },
      { index: 2, result: run('blocked'), changedLines: 1 },
    ]);
    expect(allFail.reason).toContain('none of 2');
  });
});
