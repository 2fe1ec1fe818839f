import { execFileSync } from 'node:child_process';
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

  it('refuses a disk cap that is not a positive whole number of MiB', async () => {
    await expect(createLocalSandboxRunner({ workRoot, diskMb: 0 })).rejects.toThrow(/diskMb/);
    await expect(createLocalSandboxRunner({ workRoot, diskMb: 1.5 })).rejects.toThrow(/diskMb/);
  });

  it('crashes a job whose own files do not fit in the disk cap, saying so (ns level)', async () => {
    const small = await createLocalSandboxRunner({ workRoot, diskMb: 1 });
    const result = await small.run({
      ...program('print("ran")\n'),
      files: { 'program.py': 'print("ran")\n', 'big.txt': 'x'.repeat(2 * 1024 * 1024) },
    });
    if (small.capabilities().level === 'ns') {
      expect(result).toMatchObject({ status: 'crashed', stdout: '' });
      expect(result.reason).toContain("the job's files do not fit in the 1 MiB disk cap");
    } else {
      expect(result).toMatchObject({ status: 'passed', stdout: 'ran\n' });
    }
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

/** A test harness importing program.py, as the fix pipeline builds it. */
function tested(candidate: string, test: string, timeoutMs = 5000): SandboxJob {
  return {
    files: { 'program.py': candidate, 'reproduce_issue.py': test },
    entry: 'reproduce_issue.py',
    checked: ['program.py'],
    timeoutMs,
  };
}

const GOOD_ADD = 'def add(a, b):\n    return a + b\n';

describe('Method: run, completion evidence', () => {
  it.each([
    ['sys.exit(0)', 'import sys\nsys.exit(0)\n'],
    ['sys.exit()', 'import sys\nsys.exit()\n'],
    ['raise SystemExit', 'raise SystemExit\n'],
    ['exit(0)', 'exit(0)\n'],
    [
      'sys.exit(main())',
      'import sys\ndef main():\n    return 0\nif __name__ == "__main__":\n    sys.exit(main())\n',
    ],
  ])('passes a test that ends itself with %s', async (_, ending) => {
    const result = await runner.run(
      tested(GOOD_ADD, `from program import add\nassert add(1, 2) == 3\nprint("ok")\n${ending}`),
    );
    expect(result).toMatchObject({ status: 'passed', exitCode: 0, stdout: 'ok\n' });
  });

  it('passes a unittest run that succeeds and fails one that does not (unittest ends with sys.exit)', async () => {
    const test = (expected: number) =>
      [
        'import unittest',
        'from program import add',
        'class T(unittest.TestCase):',
        '    def test_add(self):',
        `        self.assertEqual(add(1, 2), ${expected})`,
        'unittest.main()',
      ].join('\n');
    const [good, bad] = await Promise.all([
      runner.run(tested(GOOD_ADD, test(3))),
      runner.run(tested(GOOD_ADD, test(4))),
    ]);
    expect(good).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(good.stderr).toContain('OK');
    expect(bad).toMatchObject({ status: 'failed', exitCode: 1 });
  });

  it('passes a program that is its own harness and ends with sys.exit(0)', async () => {
    const result = await runner.run(program('import sys\nprint("done")\nsys.exit(0)\n'));
    expect(result).toMatchObject({ status: 'passed', exitCode: 0, stdout: 'done\n' });
  });

  it('judges a test that runs the program as a subprocess by its own assertions', async () => {
    // Prepare: the second candidate leaves with status 0 before printing what the test expects
    const test = [
      'import subprocess, sys',
      'out = subprocess.run([sys.executable, "program.py"], capture_output=True, text=True)',
      'assert out.returncode == 0, out',
      'assert out.stdout.strip() == "5", out',
      'print("ok")',
    ].join('\n');
    const good = `${GOOD_ADD}if __name__ == "__main__":\n    print(add(2, 3))\n`;
    const quits = `import sys\n${GOOD_ADD}if __name__ == "__main__":\n    sys.exit(0)\n    print(add(2, 3))\n`;
    // Act
    const [passing, failing] = await Promise.all([
      runner.run(tested(good, test)),
      runner.run(tested(quits, test)),
    ]);
    // Assess
    expect(passing).toMatchObject({ status: 'passed', exitCode: 0, stdout: 'ok\n' });
    expect(failing).toMatchObject({ status: 'failed', exitCode: 1, reason: 'exit status 1' });
    expect(failing.stderr).toContain('AssertionError');
  });

  it('records completion before atexit hooks: a hook that ends the process with 0 keeps the pass', async () => {
    const candidate = `import atexit, os\natexit.register(getattr(os, "_ex" + "it"), 0)\n${GOOD_ADD}`;
    const result = await runner.run(tested(candidate, 'from program import add\nassert add(1, 2) == 3\n'));
    expect(result).toMatchObject({ status: 'passed', exitCode: 0 });
  });

  it('still fails a run whose harness completed when the process then exits non-zero', async () => {
    const test =
      'import atexit, os\nfrom program import add\nassert add(1, 2) == 3\natexit.register(os._exit, 3)\n';
    const result = await runner.run(tested(GOOD_ADD, test));
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, reason: 'exit status 3' });
  });

  it('fails a test whose own non-zero exit comes after a candidate that exits 0 was caught', async () => {
    // The test catches the candidate's SystemExit itself and decides: its choice, its exit status.
    const test = 'try:\n    import program\nexcept SystemExit:\n    raise SystemExit(2)\n';
    const result = await runner.run(tested('import sys\nsys.exit(0)\n', test));
    expect(result).toMatchObject({ status: 'failed', exitCode: 2 });
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

describe('Method: run, completion evidence at the weaker levels', () => {
  it.each(isRoot ? (['uid', 'process'] as const) : (['process'] as const))(
    'at the %s level: exit 0 without completion fails, a completed harness passes',
    async (level) => {
      const weaker = await createLocalSandboxRunner({ workRoot, level });
      const test = 'from program import add\nassert add(1, 2) == 3\nprint("ok")\n';
      const [quits, good] = await Promise.all([
        weaker.run(tested('import sys\nsys.exit(0)\n', test)),
        weaker.run(tested(GOOD_ADD, test)),
      ]);
      expect(quits).toMatchObject({ status: 'failed', exitCode: 0 });
      expect(quits.reason).toContain('without completion');
      expect(good).toMatchObject({ status: 'passed', stdout: 'ok\n' });
    },
  );
});

/** Run inside a fresh mount namespace: makes every mount read-only one way, then reports each mount. */
const READ_ONLY_PROBE = `
import json, os, sys
sys.path.insert(0, sys.argv[1])
import te_sandbox_disk as disk, te_sandbox_supervisor as sup

def mounts():
    out = {}
    for line in open("/proc/self/mountinfo").read().splitlines():
        fields = line.split(" ")
        out[disk._unescape(fields[4].encode())] = sorted(o for o in fields[5].split(",") if o not in ("ro", "rw"))
    return out

before = mounts()
_, mount, syscall, get_errno = sup.libc()
if sys.argv[2] == "remount":
    disk.read_only_by_remount(disk.Calls(mount, None, get_errno).mount)
else:
    assert disk.Calls(mount, syscall, get_errno).read_only_tree("/")
after = mounts()
print(json.dumps({
    "writable": [p for p in after if os.path.exists(p) and not os.statvfs(p).f_flag & 1],
    "changed": [p for p in after if p in before and before[p] != after[p]],
    "count": len(after),
}))
`;

describe('Module: te_sandbox_disk (root with unshare only)', () => {
  it.each(['setattr', 'remount'])(
    'makes every reachable mount read-only, keeping its other options (%s)',
    async (method) => {
      if (runner.capabilities().level !== 'ns') {
        expect(runner.capabilities().layers).not.toContain('read-only-mounts');
        return;
      }
      const { execFile } = await import('node:child_process');
      const { fileURLToPath } = await import('node:url');
      const dir = fileURLToPath(new URL('../../shared/adapters/sandbox/python/', import.meta.url));
      const out = await new Promise<string>((done, fail) =>
        execFile(
          'unshare',
          [
            '--mount',
            '--propagation',
            'private',
            runner.capabilities().interpreter,
            '-S',
            '-c',
            READ_ONLY_PROBE,
            dir,
            method,
          ],
          { env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' } },
          (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout)),
        ),
      );
      const report = JSON.parse(out) as { writable: string[]; changed: string[]; count: number };
      expect(report.count).toBeGreaterThan(1);
      expect(report.writable).toEqual([]);
      expect(report.changed).toEqual([]);
    },
  );
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

describe('Method: run (relative to the original program)', () => {
  const test = 'from program import calc\nassert calc("6 * 7") == 42\nprint("ok")\n';
  const withTest = (code: string, original?: string): SandboxJob => ({
    files: { 'program.py': code, 'reproduce_issue.py': test },
    entry: 'reproduce_issue.py',
    checked: ['program.py'],
    timeoutMs: 5000,
    ...(original !== undefined ? { original } : {}),
  });

  it('runs eval in a candidate when the original uses it: the restricted builtins keep eval for it', async () => {
    // Prepare: without the guard's exemption the candidate's eval is a NameError at run time
    const original = 'def calc(e):\n    return eval(e) + 1\n';
    const plain = 'def calc(e):\n    return eval(e)\n';
    // Act
    const [same, without] = await Promise.all([
      runner.run(withTest(plain, original)),
      runner.run(withTest(plain)),
    ]);
    // Assess
    expect(same).toMatchObject({
      status: 'passed',
      stdout: 'ok\n',
      allowed: ['eval (call): present in the original'],
    });
    expect(without).toMatchObject({ status: 'blocked' });
    expect(without.allowed).toBeUndefined();
  });

  it('lets a candidate start a process when the original does, and refuses one that adds it', async () => {
    // Prepare
    const original = 'import subprocess\ndef calc(e):\n    return 0\n';
    const usesIt =
      'import subprocess, sys\ndef calc(e):\n    r = subprocess.run([sys.executable, "-c", "print(" + e + ")"], capture_output=True, text=True)\n    return int(r.stdout)\n';
    // Act
    const [allowed, refused] = await Promise.all([
      runner.run(withTest(usesIt, original)),
      runner.run(withTest(usesIt, 'def calc(e):\n    return 0\n')),
    ]);
    // Assess
    expect(allowed).toMatchObject({
      status: 'passed',
      allowed: ['subprocess (import): present in the original'],
    });
    expect(refused).toMatchObject({ status: 'blocked' });
    expect(refused.reason).toContain('import of subprocess');
  });

  it('returns the containment it applied with every result', async () => {
    const result = await runner.run(program('print(1)\n'));
    expect(result.containment).toEqual({
      level: runner.capabilities().level,
      layers: runner.capabilities().layers,
    });
  });
});

describe('Layer: seccomp', () => {
  const socketProbe = [
    'import _socket, errno',
    'for family in (_socket.AF_INET, _socket.AF_INET6):',
    '    try:',
    '        _socket.socket(family, _socket.SOCK_STREAM)',
    '        print("opened")',
    '    except OSError as error:',
    '        print(errno.errorcode[error.errno])',
    'a, b = _socket.socketpair()',
    'print("unix ok")',
  ].join('\n');
  const harness = (code: string): SandboxJob => ({
    files: { 'harness.py': code },
    entry: 'harness.py',
    checked: [],
    timeoutMs: 5000,
  });

  it('refuses IP sockets with EACCES to an unchecked harness and keeps unix sockets', async () => {
    expect(runner.capabilities().layers).toContain('seccomp');
    const result = await runner.run(harness(socketProbe));
    expect(result).toMatchObject({ status: 'passed', stdout: 'EACCES\nEACCES\nunix ok\n' });
  });

  it('refuses IP sockets at every level this machine can provide', async () => {
    // Prepare: as root ns, uid and process; as a user userns (where it works) and process
    const levels = isRoot ? (['ns', 'uid', 'process'] as const) : (['process'] as const);
    // Act
    const results = await Promise.all(
      levels.map(async (level) => {
        const atLevel = await createLocalSandboxRunner({ workRoot, level });
        return {
          level,
          layers: atLevel.capabilities().layers,
          result: await atLevel.run(harness(socketProbe)),
        };
      }),
    );
    // Assess
    for (const { level, layers, result } of results) {
      expect({ level, layers }).toMatchObject({ layers: expect.arrayContaining(['seccomp']) });
      expect({ level, status: result.status, stdout: result.stdout }).toEqual({
        level,
        status: 'passed',
        stdout: 'EACCES\nEACCES\nunix ok\n',
      });
    }
  });

  it('holds for a python started without the guard, and for its children', async () => {
    const code = [
      'import subprocess, sys',
      `r = subprocess.run([sys.executable, "-I", "-S", "-c", ${JSON.stringify(socketProbe)}], capture_output=True, text=True)`,
      'print(r.stdout, end="")',
    ].join('\n');
    expect(await runner.run(harness(code))).toMatchObject({
      status: 'passed',
      stdout: 'EACCES\nEACCES\nunix ok\n',
    });
  });

  it('filters an interpreter without a binding with the program the system python3 compiled', async () => {
    // Prepare: a venv sees no system site-packages, so neither binding is importable there
    const venv = join(workRoot, `venv-${randomUUID()}`);
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', venv]);
    const python = join(venv, 'bin', 'python3');
    // Act
    const [nsLevel, processLevel] = await Promise.all([
      createLocalSandboxRunner({ workRoot, pythonPath: python }),
      createLocalSandboxRunner({ workRoot, pythonPath: python, level: 'process' }),
    ]);
    const results = await Promise.all([
      nsLevel.run(harness(socketProbe)),
      processLevel.run(harness(socketProbe)),
    ]);
    // Assess: the filter holds; at `process` the per-run signal rules need the binding, and the layers say so
    for (const result of results)
      expect(result).toMatchObject({ status: 'passed', stdout: 'EACCES\nEACCES\nunix ok\n' });
    expect(nsLevel.capabilities().layers).toContain('seccomp');
    expect(processLevel.capabilities().layers).toEqual(
      expect.arrayContaining(['seccomp', 'seccomp-without-signal-rules']),
    );
  });

  it('claims no seccomp when it applies none, and the run then can open a socket', async () => {
    const bare = await createLocalSandboxRunner({ workRoot, seccomp: false });
    const result = await bare.run(harness(socketProbe));
    expect(bare.capabilities().layers).toContain('seccomp-unavailable');
    expect(bare.capabilities().layers).not.toContain('seccomp');
    expect(result.containment?.layers).toContain('seccomp-unavailable');
    expect(result).toMatchObject({ status: 'passed', stdout: 'opened\nopened\nunix ok\n' });
  });
});
