import { describe, expect, it } from 'vitest';
import type { FixInvocation, Upload } from '../../shared/domain/sandbox-job.js';
import type { RunResult } from '../../shared/domain/types.js';
import { runItem } from '../../shared/kinds/fix/use-cases/run-item.js';
import type { ContentTransfer } from '../../shared/ports/content-transfer.js';
import type { SandboxJob, SandboxRunner } from '../../shared/ports/sandbox-runner.js';

const UPLOAD: Upload = {
  url: 'http://127.0.0.1:1/upload',
  fields: { key: 'logs/1.json' },
  maxBytes: 1 << 20,
};

const invocation: FixInvocation = {
  item: { sessionId: 's', round: 1, index: 1, role: 'candidate', code: { text: 'x = 2\n' }, logs: UPLOAD },
  run: { filename: 'program.py', harness: { kind: 'runs' }, original: { text: 'x = 1\n' } },
};

/** A runner that answers the given result, and the transfer's uploads as they were sent. */
function parts(result: RunResult) {
  const jobs: SandboxJob[] = [];
  const runner: SandboxRunner = {
    run: async (job) => {
      jobs.push(job);
      return result;
    },
    capabilities: () => ({ level: 'test', layers: [], interpreter: 'python3' }),
  };
  const uploads: Array<{ target: Upload; body: string }> = [];
  const transfer: ContentTransfer = {
    read: async (content) => ('text' in content ? content.text : ''),
    upload: async (target, body) => {
      uploads.push({ target, body });
    },
  };
  const deps = { runner, transfer, timeoutMs: 1000, log: { warn: () => undefined } };
  return { deps, jobs, uploads };
}

const ran = (stdout: string, logs: string): RunResult => ({
  status: 'passed',
  exitCode: 0,
  durationMs: 5,
  stdout,
  stderr: '',
  ...(stdout === logs ? {} : { stdoutTruncated: true }),
  logs: { stdout: logs, stderr: '' },
});

describe('Use case: runItem (the sandbox)', () => {
  it('sends no log upload when the result holds the logs whole', async () => {
    // Prepare
    const { deps, jobs, uploads } = parts(ran('ok\n', 'ok\n'));

    // Act
    const result = await runItem(deps, invocation);

    // Assess
    expect(jobs[0]?.files).toEqual({ 'program.py': 'x = 2\n' });
    expect(uploads).toEqual([]);
    expect(result).toMatchObject({ status: 'passed', stdout: 'ok\n' });
    expect(result).not.toHaveProperty('logs');
  });

  it('uploads the full logs when the result carries only their end', async () => {
    // Prepare
    const full = 'line\n'.repeat(1000);
    const { deps, uploads } = parts(ran(full.slice(-50), full));

    // Act
    const result = await runItem(deps, invocation);

    // Assess
    expect(uploads).toEqual([{ target: UPLOAD, body: JSON.stringify({ stdout: full, stderr: '' }) }]);
    expect(result.stdout).toBe(full.slice(-50));
    expect(result).not.toHaveProperty('logs');
  });
});
