import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { NOT_COMPLETED_REASON } from '../../shared/adapters/sandbox/verdict.js';
import type { SandboxJob, SandboxRunner } from '../../shared/ports/sandbox-runner.js';

/**
 * The sandbox image runs Python 3.12; this machine's system Python is 3.11. The sandbox's own
 * Python (boot, supervisor, guard, policy, the seccomp program's loader) runs here under a 3.12
 * interpreter at the image's level (`process`), so a difference between the two shows before an
 * image is built. (This 3.12 has no libseccomp binding: the system python3 compiles the filter,
 * the 3.12 supervisor loads it, and the layers say the per-run signal rules are missing.)
 */

function findPython312(): string {
  const fixed = ['/usr/bin/python3.12', '/usr/local/bin/python3.12'];
  const pyenv = join(homedir(), '.pyenv', 'versions');
  const fromPyenv = existsSync(pyenv)
    ? readdirSync(pyenv)
        .filter((v) => v.startsWith('3.12'))
        .map((v) => join(pyenv, v, 'bin', 'python3.12'))
    : [];
  const found = [...fixed, ...fromPyenv].find((p) => existsSync(p));
  if (found === undefined)
    throw new Error(`no Python 3.12 on this machine (looked in ${[...fixed, pyenv].join(', ')})`);
  return found;
}

const FIXTURES = resolve(import.meta.dirname, '../fixtures/hostile');
const workRoot = join(tmpdir(), `te-sbx-py312-${process.pid}`);
let runner: SandboxRunner;

beforeAll(async () => {
  runner = await createLocalSandboxRunner({ workRoot, pythonPath: findPython312(), level: 'process' });
});

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

const harness = (code: string): SandboxJob => ({
  files: { 'harness.py': code },
  entry: 'harness.py',
  checked: [],
  timeoutMs: 5000,
});

describe('The sandbox under Python 3.12 (the image’s version)', () => {
  it('runs a checked candidate under a harness with 3.12, inside the seccomp filter', async () => {
    // Prepare
    const job: SandboxJob = {
      files: {
        'program.py': 'import sys\ndef version():\n    return "%d.%d" % sys.version_info[:2]\n',
        'test.py': [
          'import _socket, errno',
          'from program import version',
          'try:',
          '    _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)',
          '    print(version(), "socket opened")',
          'except OSError as error:',
          '    print(version(), errno.errorcode[error.errno])',
        ].join('\n'),
      },
      entry: 'test.py',
      checked: ['program.py'],
      timeoutMs: 5000,
    };
    // Act
    const result = await runner.run(job);
    // Assess
    expect(runner.capabilities().layers).toEqual(
      expect.arrayContaining(['seccomp', 'seccomp-without-signal-rules']),
    );
    expect(result).toMatchObject({ status: 'passed', stdout: '3.12 EACCES\n' });
  });

  it('keeps the completion rule: a candidate ending the test with status 0 at import fails', async () => {
    const result = await runner.run({
      files: {
        'program.py': readFileSync(join(FIXTURES, 'exit_zero_on_import.py'), 'utf8'),
        'reproduce_issue.py': 'from program import add\nassert add(1, 2) == 3\nprint("ok")\n',
      },
      entry: 'reproduce_issue.py',
      checked: ['program.py'],
      timeoutMs: 5000,
    });
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, reason: NOT_COMPLETED_REASON });
  });

  it('keeps the guard: no tracing and no code objects from checked code', async () => {
    const run = (fixture: string) =>
      runner.run({
        files: {
          'program.py': readFileSync(join(FIXTURES, `${fixture}.py`), 'utf8'),
          'reproduce_issue.py': 'from program import add\nassert add(1, 2) == 3\n',
        },
        entry: 'reproduce_issue.py',
        checked: ['program.py'],
        timeoutMs: 5000,
      });
    const [trace, forged] = await Promise.all([run('trace_hook'), run('forged_filename')]);
    expect(trace.stderr).toContain('sandbox: tracing refused');
    expect(forged.stderr).toContain('sandbox: making a code object refused');
  });

  it('applies the policy relative to the original, and blocks what is new', async () => {
    const test = 'from program import calc\nassert calc("6 * 7") == 42\n';
    const job = (code: string): SandboxJob => ({
      files: { 'program.py': code, 'reproduce_issue.py': test },
      entry: 'reproduce_issue.py',
      checked: ['program.py'],
      timeoutMs: 5000,
      original: 'def calc(e):\n    return eval(e) + 1\n',
    });
    const [same, added] = await Promise.all([
      runner.run(job('def calc(e):\n    return eval(e)\n')),
      runner.run(job('import socket\ndef calc(e):\n    return eval(e)\n')),
    ]);
    expect(same).toMatchObject({ status: 'passed', allowed: ['eval (call): present in the original'] });
    expect(added).toMatchObject({ status: 'blocked' });
  });

  it('kills what a harness leaves running and refuses ptrace', async () => {
    const [daemon, ptrace] = await Promise.all([
      runner.run(harness(readFileSync(join(FIXTURES, 'double_fork_daemon.py'), 'utf8'))),
      runner.run(harness(readFileSync(join(FIXTURES, 'ptrace_parent.py'), 'utf8'))),
    ]);
    expect(daemon.status).toBe('passed');
    expect(ptrace).toMatchObject({ status: 'failed' });
    expect(ptrace.stdout).toContain('ptrace refused, errno 1');
  });
});
