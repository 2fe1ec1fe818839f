import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalSandboxRunner,
  InvalidSandboxJobError,
  SandboxUnavailableError,
} from '../../shared/adapters/sandbox/index.js';
import type { SandboxJob, SandboxRunner } from '../../shared/ports/sandbox-runner.js';

const CANARY = `canary-${randomUUID()}`;
const workRoot = join(tmpdir(), `te-sbx-runner-${process.pid}`);
const isRoot = process.getuid?.() === 0;
let runner: SandboxRunner;

beforeAll(async () => {
  process.env.TE_CANARY = CANARY;
  runner = await createLocalSandboxRunner({ workRoot });
});

afterAll(async () => {
  delete process.env.TE_CANARY;
  await rm(workRoot, { recursive: true, force: true });
});

function program(code: string, timeoutMs = 5000): SandboxJob {
  return { files: { 'program.py': code }, entry: 'program.py', checked: ['program.py'], timeoutMs };
}

describe('Function: createLocalSandboxRunner', () => {
  it('reports its level, layers and an absolute interpreter', () => {
    const caps = runner.capabilities();
    expect(caps.interpreter.startsWith('/')).toBe(true);
    expect(caps.layers).toEqual(expect.arrayContaining(['rlimits', 'scrubbed-env', 'policy-ast']));
    expect(['ns', 'userns', 'uid', 'process']).toContain(caps.level);
    if (isRoot) expect(caps.layers).toContain('per-run-uid');
  });

  it('refuses a level that cannot work for this user', async () => {
    await expect(
      createLocalSandboxRunner({ workRoot, level: isRoot ? 'userns' : 'uid' }),
    ).rejects.toBeInstanceOf(SandboxUnavailableError);
  });
});

describe('Method: run', () => {
  it('passes a program that exits 0 and returns what it printed', async () => {
    const result = await runner.run(program('print("hello")\n'));
    expect(result).toMatchObject({ status: 'passed', exitCode: 0, stdout: 'hello\n', stderr: '' });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.stdoutTruncated).toBe(false);
  });

  it('fails a program that exits non-zero, keeping its code', async () => {
    const result = await runner.run(program('import sys\nsys.exit(3)\n'));
    expect(result).toMatchObject({ status: 'failed', exitCode: 3 });
  });

  it('fails on an exception with a traceback that reads as plain python', async () => {
    const result = await runner.run(program('def f():\n    raise ValueError("boom")\nf()\n'));
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(
      /^Traceback \(most recent call last\):\n {2}File ".*\/program\.py", line 3/,
    );
    expect(result.stderr).toContain('ValueError: boom');
    expect(result.stderr).not.toContain('te_sandbox');
  });

  it('runs a syntax error and fails it rather than blocking it', async () => {
    const result = await runner.run(program('def broken(:\n    pass\n'));
    expect(result.status).toBe('failed');
    expect(result.stderr).toContain('SyntaxError');
  });

  it('blocks a policy breach before anything runs, naming the rule and line', async () => {
    const result = await runner.run(program('print("ran")\nimport os\nos.system("id")\n'));
    expect(result).toMatchObject({ status: 'blocked', exitCode: null, stdout: '' });
    expect(result.reason).toBe('policy blocked-call at program.py:3: os.system');
  });

  it('times out a program that outlives its wall-clock limit', async () => {
    const result = await runner.run(program('import time\ntime.sleep(30)\n', 500));
    expect(result.status).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(500);
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('lets a test import the candidate and start it as a subprocess', async () => {
    // Prepare: the harness is not checked and may use subprocess; the candidate is
    const job: SandboxJob = {
      files: {
        'program.py':
          'def add(a, b):\n    return a + b\n\nif __name__ == "__main__":\n    print(add(2, 3))\n',
        'reproduce_issue.py': [
          'import subprocess, sys',
          'from program import add',
          'assert add(1, 2) == 3',
          'out = subprocess.run([sys.executable, "program.py"], capture_output=True, text=True, check=True)',
          'assert out.stdout.strip() == "5", out',
          'print("ok")',
        ].join('\n'),
      },
      entry: 'reproduce_issue.py',
      checked: ['program.py'],
      timeoutMs: 5000,
    };
    // Act
    const result = await runner.run(job);
    // Assess
    expect(result).toMatchObject({ status: 'passed', stdout: 'ok\n' });
  });

  it('fails a test whose assertion fails on the candidate', async () => {
    const result = await runner.run({
      files: {
        'program.py': 'def add(a, b):\n    return a - b\n',
        'test.py': 'from program import add\nassert add(1, 2) == 3\n',
      },
      entry: 'test.py',
      checked: ['program.py'],
      timeoutMs: 5000,
    });
    expect(result.status).toBe('failed');
    expect(result.stderr).toContain('AssertionError');
  });

  it('gives the program only a scrubbed environment and its own home', async () => {
    const result = await runner.run(program('import os, json\nprint(json.dumps(dict(os.environ)))\n'));
    expect(result.status).toBe('passed');
    const env = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_') || k === 'TE_CANARY')).toEqual([]);
    expect(result.stdout).not.toContain(CANARY);
    expect(env.HOME).toBe(env.TMPDIR);
    expect(env.PYTHONIOENCODING).toBe('utf-8');
  });

  it('removes the work dir after the run', async () => {
    const result = await runner.run(
      program('import os\nopen("left.txt", "w").write("x")\nprint(os.getcwd())\n'),
    );
    const dir = result.stdout.trim();
    expect(dir.startsWith(workRoot)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('caps output in the result, flags the cut, and keeps more in the logs', async () => {
    const result = await runner.run(program('print("x" * 200_000)\nprint("END")\n'));
    expect(result.status).toBe('passed');
    expect(result.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(result.stdout).toContain('END');
    expect(result.logs?.stdout.length).toBeGreaterThan(200_000);
    expect(result.stderrTruncated).toBe(false);
  });

  it('crashes a program past its memory limit', async () => {
    const small = await createLocalSandboxRunner({ workRoot, memoryMb: 256 });
    const result = await small.run(program('x = bytearray(400 * 1024 * 1024)\n'));
    expect(result).toMatchObject({ status: 'crashed', reason: 'memory limit (256 MiB) reached' });
  });

  it('runs jobs in parallel without one seeing another', async () => {
    // Prepare
    const jobs = Array.from({ length: 9 }, (_, i) => ({
      files: {
        'program.py': `import os\nprint(sorted(os.listdir(".")), open("mine.txt").read())\n`,
        'mine.txt': `job-${i}`,
      },
      entry: 'program.py',
      checked: ['program.py'],
      timeoutMs: 10_000,
    }));
    // Act
    const results = await Promise.all(jobs.map((job) => runner.run(job)));
    // Assess
    results.forEach((result, i) => {
      expect(result.status).toBe('passed');
      expect(result.stdout).toBe(`['mine.txt', 'program.py'] job-${i}\n`);
    });
  });

  it('throws for a job the caller got wrong, not for anything the code does', async () => {
    await expect(
      runner.run({ ...program('pass'), files: { '../x.py': 'pass' }, entry: '../x.py' }),
    ).rejects.toBeInstanceOf(InvalidSandboxJobError);
    await expect(runner.run({ ...program('pass'), entry: 'missing.py' })).rejects.toBeInstanceOf(
      InvalidSandboxJobError,
    );
  });
});

describe('Method: run at the weaker levels', () => {
  it('at the uid level (root only): drops to a per-run uid and kills a daemonised grandchild', async () => {
    if (!isRoot) {
      await expect(createLocalSandboxRunner({ workRoot, level: 'uid' })).rejects.toBeInstanceOf(
        SandboxUnavailableError,
      );
      return;
    }
    const uidRunner = await createLocalSandboxRunner({ workRoot, level: 'uid' });
    const marker = `daemon-${randomUUID()}`;
    const result = await uidRunner.run({
      files: {
        'harness.py': `import os, time\nprint(os.getuid())\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execvp("sleep", ["sleep", "300", "${marker}"])\n    os._exit(0)\n`,
      },
      entry: 'harness.py',
      checked: [],
      timeoutMs: 5000,
    });
    expect(result.status).toBe('passed');
    expect(Number(result.stdout.trim())).toBeGreaterThan(0);
    expect(await processesMentioning(marker)).toEqual([]);
  });

  it('at the process level: ends the run at the deadline and kills escaped descendants', async () => {
    const processRunner = await createLocalSandboxRunner({ workRoot, level: 'process' });
    const marker = `escape-${randomUUID()}`;
    const result = await processRunner.run({
      files: {
        'harness.py': `import subprocess, time\nsubprocess.Popen(["sleep", "300", "${marker}"], start_new_session=True)\ntime.sleep(30)\n`,
      },
      entry: 'harness.py',
      checked: [],
      timeoutMs: 700,
    });
    expect(result.status).toBe('timeout');
    expect(await processesMentioning(marker)).toEqual([]);
  });
});

async function processesMentioning(marker: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}
