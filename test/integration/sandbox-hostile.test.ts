import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { NOT_COMPLETED_REASON } from '../../shared/adapters/sandbox/verdict.js';
import type { RunResult } from '../../shared/domain/types.js';
import type { SandboxJob, SandboxRunner } from '../../shared/ports/sandbox-runner.js';
import { CASES, type Case, WELL_BEHAVED } from '../support/hostile-cases.js';
import { workRootLeftovers } from '../support/work-root-leftovers.js';

/**
 * Hostile programs through the real runner, each twice: as the checked candidate (the policy
 * should stop most before they run) and as an unchecked harness (only the runtime containment
 * stands in the way). Every run is then searched for the canary this process holds in its own
 * environment, and /proc for anything the run left behind.
 */

const CANARY = `canary-${randomUUID()}`;
const FIXTURES = resolve(import.meta.dirname, '../fixtures/hostile');
const REPO_FILE = resolve(import.meta.dirname, '../../package.json');
const workRoot = join(tmpdir(), `te-sbx-hostile-${process.pid}`);
const isRoot = process.getuid?.() === 0;
const MIB = 1024 * 1024;
const DISK_MB = 64;
let runner: SandboxRunner;
let namespaces = false;
let sweeps = false;
let diskCap = false;

beforeAll(async () => {
  // Set before the runner exists: nothing the runner starts may ever see it.
  process.env.TE_CANARY = CANARY;
  runner = await createLocalSandboxRunner({ workRoot });
  namespaces = runner.capabilities().layers.includes('pid-namespace');
  sweeps = runner.capabilities().layers.includes('tmp-sweep');
  diskCap = runner.capabilities().layers.includes('disk-cap-tmpfs');
});

afterAll(async () => {
  delete process.env.TE_CANARY;
  await rm(workRoot, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await leftovers()).toEqual([]);
});

/** Processes whose command line or environment still mentions this suite's work root. */
function leftovers(graceMs?: number): Promise<string[]> {
  return workRootLeftovers(workRoot, graceMs);
}

function job(fixture: string, checked: boolean, c: Case, extra: Record<string, string>): SandboxJob {
  const name = checked ? 'program.py' : 'harness.py';
  const code = readFileSync(join(FIXTURES, `${fixture}.py`), 'utf8');
  return {
    files: { [name]: code, ...extra },
    entry: name,
    checked: checked ? [name] : [],
    timeoutMs: c.timeoutMs ?? 5000,
  };
}

describe('Hostile candidates through the local runner', () => {
  it('has at least twenty hostile fixtures', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('$fixture: $checked as the candidate, $unchecked as the harness', async (c) => {
    // Prepare
    const extra = { 'target.txt': REPO_FILE, ...c.extra };
    // Act: both variants at once, then a well-behaved run right after
    const [asCandidate, asHarness] = await Promise.all([
      runner.run(job(c.fixture, true, c, extra)),
      runner.run(job(c.fixture, false, c, extra)),
    ]);
    const after = await runner.run(WELL_BEHAVED);
    // Assess
    expect({ status: asCandidate.status, reason: asCandidate.reason }).toMatchObject({ status: c.checked });
    expect({
      status: asHarness.status,
      reason: asHarness.reason,
      stderr: asHarness.stderr.slice(-300),
    }).toMatchObject({
      status: c.unchecked,
    });
    for (const result of [asCandidate, asHarness]) {
      expect(JSON.stringify(result)).not.toContain(CANARY);
      if (c.absent) expect(`${result.stdout}${result.stderr}`).not.toMatch(c.absent);
      if (result.status === 'blocked') expect(result.reason).toMatch(/^policy [a-z-]+ at program\.py:\d+: /);
    }
    expect(after).toMatchObject({ status: 'passed', stdout: 'ok\n' });
  });

  it('reads nothing of the repository when the paths are hidden, or else nothing the policy lets through', async () => {
    const c: Case = { fixture: 'read_repo', checked: 'failed', unchecked: 'failed' };
    const checkedRun = await runner.run(job('read_repo', true, c, { 'target.txt': REPO_FILE }));
    expect(checkedRun.status).toBe('failed');
    expect(checkedRun.stderr).toContain('reading outside the work dir');
    expect(checkedRun.stdout).not.toContain('truth-engine');
    // Only a mount namespace can hide a world-readable repository from the harness.
    const harnessRun = await runner.run(job('read_repo', false, c, { 'target.txt': REPO_FILE }));
    expect(harnessRun.status).toBe(namespaces ? 'failed' : 'passed');
    expect(harnessRun.stdout.includes('truth-engine')).toBe(!namespaces);
  });

  it('leaves no file behind outside the work dir, even one written by a shell', async () => {
    // Prepare
    const target = join(tmpdir(), `te-escape-${randomUUID()}`);
    const c: Case = { fixture: 'write_tmp_shell', checked: 'blocked', unchecked: 'passed' };
    // Act
    const [asCandidate, asHarness] = await Promise.all([
      runner.run(job('write_tmp_shell', true, c, { 'target.txt': target })),
      runner.run(job('write_tmp_shell', false, c, { 'target.txt': target })),
    ]);
    // Assess: the policy stops the candidate; the shell writes, and the sweep after the run removes it
    // (a sweep needs a uid of the run's own; without one the file stays, and says so here)
    expect(asCandidate.status).toBe('blocked');
    expect(asHarness.status).toBe('passed');
    expect(existsSync(target)).toBe(!sweeps);
    await rm(target, { force: true });
  });

  it('has no network even for a python started without the guard', async () => {
    const result = await runner.run({
      files: {
        'harness.py': [
          'import subprocess, sys',
          "probe = \"import socket; socket.create_connection(('1.1.1.1', 53), timeout=2); print('connected')\"",
          'r = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)',
          'print(r.stdout, r.stderr[-200:])',
          'sys.exit(r.returncode)',
        ].join('\n'),
      },
      entry: 'harness.py',
      checked: [],
      timeoutMs: 8000,
    });
    // Without a net namespace (Lambda) the VPC closes the network; this host's own network is no evidence.
    if (namespaces) {
      expect(result.status).toBe('failed');
      expect(result.stdout).not.toContain('connected');
    } else {
      expect(['passed', 'failed']).toContain(result.status);
    }
  });

  it('keeps well-behaved runs passing while hostile ones run beside them', async () => {
    // Prepare
    // The two that end by a limit get room: on a loaded machine filling 1 GiB can outlast 2.5 s.
    const limits: Record<string, number> = { memory_bomb: 10_000, output_flood: 10_000 };
    const hostile = ['fork_bomb', 'memory_bomb', 'cpu_spin', 'output_flood'].map((f) =>
      job(
        f,
        false,
        { fixture: f, checked: 'blocked', unchecked: 'timeout', timeoutMs: limits[f] ?? 2500 },
        {},
      ),
    );
    // Act
    const results = await Promise.all(
      [...hostile, WELL_BEHAVED, WELL_BEHAVED, WELL_BEHAVED].map((j) => runner.run(j)),
    );
    // Assess
    expect(results.slice(0, 4).map((r) => r.status)).toEqual(['timeout', 'crashed', 'timeout', 'crashed']);
    for (const r of results.slice(4)) expect(r).toMatchObject({ status: 'passed', stdout: 'ok\n' });
  });

  it('returns credentials printed by a program redacted and control bytes stripped', async () => {
    const result = await runner.run(
      job('print_secrets', true, { fixture: 'print_secrets', checked: 'passed', unchecked: 'passed' }, {}),
    );
    expect(result.status).toBe('passed');
    expect(result.stdout).toContain('AWS_SECRET_ACCESS_KEY=[REDACTED]');
    expect(result.stdout).not.toMatch(/wJalrXUtnFEMI|AKIAIOSFODNN7EXAMPLE|sk-proj-abc/);
    expect(result.stdout).toContain('red');
    expect(result.stdout).not.toContain('\u001b');
  });
});

/** A test harness importing the fixture as the candidate, as the fix pipeline builds it. */
function asImportedCandidate(fixture: string, timeoutMs = 5000): SandboxJob {
  return {
    files: {
      'program.py': readFileSync(join(FIXTURES, `${fixture}.py`), 'utf8'),
      'reproduce_issue.py': 'from program import add\nassert add(1, 2) == 3\nprint("ok")\n',
    },
    entry: 'reproduce_issue.py',
    checked: ['program.py'],
    timeoutMs,
  };
}

describe('Candidates that end the harness before it finished', () => {
  it.each([
    ['exit_zero_on_import', 'sys.exit(0) while the test imports it'],
    ['exit_zero_in_function', 'raise SystemExit(0) in a function the test calls'],
    ['thread_exit_zero', 'os._exit(0) from a thread while the test waits on it'],
    ['signal_exit_zero', 'os._exit(0) from a signal handler'],
    ['forge_completion', 'the completion event and fake report lines on every fd, then os._exit(0)'],
  ])('%s (%s): exit status 0, and failed for want of completion', async (fixture) => {
    const result = await runner.run(asImportedCandidate(fixture));
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, reason: NOT_COMPLETED_REASON });
    expect(result.stdout).not.toContain('ok');
  });

  it('atexit_exit_zero: the assertion fails, an atexit hook turns status 1 into 0, and it still fails', async () => {
    const result = await runner.run(asImportedCandidate('atexit_exit_zero'));
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, reason: NOT_COMPLETED_REASON });
    expect(result.stderr).toContain('AssertionError');
  });

  it('forged_filename: may not make a function that passes for the test, so its exit cannot either', async () => {
    const result = await runner.run(asImportedCandidate('forged_filename'));
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(result.stderr).toContain('sandbox: making a code object refused');
  });

  it('trace_hook: may not install a trace function that could rewrite the boot frames', async () => {
    const result = await runner.run(asImportedCandidate('trace_hook'));
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(result.stderr).toContain('sandbox: tracing refused');
  });

  it('the same harness passes a correct candidate (the control)', async () => {
    const job = asImportedCandidate('exit_zero_on_import');
    job.files['program.py'] = 'def add(a, b):\n    return a + b\n';
    expect(await runner.run(job)).toMatchObject({ status: 'passed', exitCode: 0, stdout: 'ok\n' });
  });
});

/** Free bytes on the filesystems holding these paths: before, and the lowest seen while `work` ran. */
async function freeSpaceDuring<T>(
  paths: string[],
  work: () => Promise<T>,
): Promise<{ result: T; drops: Record<string, number> }> {
  const free = async (path: string) => {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  };
  const before = await Promise.all(paths.map(free));
  const lowest = [...before];
  let running = true;
  const sampler = (async () => {
    while (running) {
      const now = await Promise.all(paths.map(free));
      now.forEach((n, i) => {
        lowest[i] = Math.min(lowest[i] ?? n, n);
      });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    const result = await work();
    return {
      result,
      drops: Object.fromEntries(paths.map((p, i) => [p, (before[i] ?? 0) - (lowest[i] ?? 0)])),
    };
  } finally {
    running = false;
    await sampler;
  }
}

describe('Disk use', () => {
  const HOST_PATHS = [workRoot, '/tmp', '/var/tmp'];

  it('fills at most the private tmpfs at the ns level: ENOSPC for the run, the host disk untouched', async () => {
    // Prepare: each file stays under the per-file limit, so only a cap on the total can stop these
    const c: Case = { fixture: 'disk_fill', checked: 'failed', unchecked: 'failed', timeoutMs: 10_000 };
    // Act
    const { result, drops } = await freeSpaceDuring(HOST_PATHS, () =>
      Promise.all([
        runner.run(job('disk_fill', true, c, {})),
        runner.run(job('disk_fill', false, c, {})),
        runner.run(job('disk_fill_tmp', false, c, {})),
      ]),
    );
    const [asCandidate, asHarness, throughShell] = result as [RunResult, RunResult, RunResult];
    // Assess
    if (diskCap) {
      for (const r of [asCandidate, asHarness, throughShell]) {
        expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 'failed', stdout: '' });
        expect(r.stderr).toContain('No space left on device');
      }
      for (const drop of Object.values(drops)) expect(drop).toBeLessThan(DISK_MB * MIB);
    } else {
      // Without a mount namespace only the per-file limit applies, and the layers say so.
      expect(runner.capabilities().layers).toContain('disk-cap-per-file-only');
      expect(asCandidate).toMatchObject({ status: 'passed', stdout: 'wrote 288 MiB\n' });
    }
  });

  it('has no cap on the total at the uid level, which says so; the measurement sees that fill', async () => {
    if (!isRoot) {
      await expect(createLocalSandboxRunner({ workRoot, level: 'uid' })).rejects.toThrow();
      return;
    }
    // Prepare
    const uidRunner = await createLocalSandboxRunner({ workRoot, level: 'uid' });
    const c: Case = { fixture: 'disk_fill', checked: 'passed', unchecked: 'passed', timeoutMs: 10_000 };
    // Act
    const { result, drops } = await freeSpaceDuring([workRoot], () =>
      uidRunner.run(job('disk_fill', false, c, {})),
    );
    // Assess: 288 MiB reached the host disk (and went with the work dir afterwards)
    expect(uidRunner.capabilities().layers).toContain('disk-cap-per-file-only');
    expect(uidRunner.capabilities().layers).not.toContain('disk-cap-tmpfs');
    expect(result).toMatchObject({ status: 'passed', stdout: 'wrote 288 MiB\n' });
    expect(drops[workRoot]).toBeGreaterThan(DISK_MB * MIB);
  });

  it('still sees the job files in the work dir, collects output, and leaves nothing behind', async () => {
    // Prepare
    const files = { 'data.csv': 'a,b\n1,2\n', 'program.py': 'print(open("data.csv").read(), end="")\n' };
    // Act
    const result = await runner.run({ files, entry: 'program.py', checked: ['program.py'], timeoutMs: 5000 });
    // Assess
    expect(result).toMatchObject({ status: 'passed', stdout: 'a,b\n1,2\n' });
    expect((await readdir(workRoot)).filter((e) => e.startsWith('run-'))).toEqual([]);
  });
});
