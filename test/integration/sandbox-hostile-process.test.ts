import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processesOfUid } from '../../shared/adapters/sandbox/proc-scan.js';
import type { RunResult } from '../../shared/domain/types.js';
import type { SandboxJob } from '../../shared/ports/sandbox-runner.js';
import { CASES, type Case, WELL_BEHAVED } from '../support/hostile-cases.js';
import { leakedSecrets } from '../support/leak-scan.js';
import { type ProcessLevelRunner, startProcessLevelRunner } from '../support/process-level-runner.js';

/**
 * The hostile suite at the `process` level, the sandbox Lambda's: a runner in a Node process of
 * its own under an unprivileged uid, with a canary and fake AWS credentials in that process's
 * launch environment and a fake Lambda Runtime API on loopback. Every output is searched for the
 * secrets in any encoding; the fake Runtime API must see no request; nothing may be left running
 * under the runner's uid, nor in /tmp, /var/tmp or /dev/shm.
 */

const FIXTURES = resolve(import.meta.dirname, '../fixtures/hostile');
const REPO_FILE = resolve(import.meta.dirname, '../../package.json');
let runtime: ProcessLevelRunner;
let secretValues: string[];

beforeAll(async () => {
  runtime = await startProcessLevelRunner();
  secretValues = Object.values(runtime.secrets);
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

afterEach(async () => {
  expect(await leftovers()).toEqual([]);
  expect(runtime.ownedTmpEntries()).toEqual([]);
  expect(runtime.runtimeApiRequests).toEqual([]);
});

/** Processes of the runner's uid other than the runner itself, after a grace period. */
async function leftovers(graceMs = 1500): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found = (await processesOfUid(runtime.uid)).filter((pid) => pid !== runtime.pid);
    if (found.length === 0 || Date.now() > deadline) return Promise.all(found.map(describeProcess));
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function describeProcess(pid: number): Promise<string> {
  const read = (file: string) => readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
  const [cmdline, stat] = await Promise.all([read('cmdline'), read('stat')]);
  return `${pid} ${cmdline.replace(/\0/g, ' ').trim()} [${stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(0, 2)
    .join(' ')}]`;
}

function job(
  fixture: string,
  checked: boolean,
  timeoutMs: number,
  extra: Record<string, string>,
): SandboxJob {
  const name = checked ? 'program.py' : 'harness.py';
  return {
    files: { [name]: readFileSync(join(FIXTURES, `${fixture}.py`), 'utf8'), ...extra },
    entry: name,
    checked: checked ? [name] : [],
    timeoutMs,
  };
}

function expectNoSecret(result: RunResult): void {
  expect(leakedSecrets(JSON.stringify(result), secretValues)).toEqual([]);
  expect(leakedSecrets(`${result.stdout}\n${result.stderr}`, secretValues)).toEqual([]);
}

describe('Hostile candidates at the process level (unprivileged, credentials in the launch environment)', () => {
  it('runs as the Lambda does: not root, seccomp, a non-dumpable runtime, the sweep', () => {
    expect(runtime.uid).not.toBe(0);
    expect(runtime.capabilities.level).toBe('process');
    expect(runtime.capabilities.layers).toEqual(
      expect.arrayContaining(['seccomp', 'runtime-non-dumpable', 'tmp-sweep', 'non-dumpable-supervisor']),
    );
  });

  it.each(CASES)('$fixture: as the candidate and as the harness', async (c: Case) => {
    // Prepare
    const extra = { 'target.txt': REPO_FILE, ...c.extra };
    const timeoutMs = c.timeoutMs ?? 5000;
    // Act
    const [asCandidate, asHarness] = await Promise.all([
      runtime.run(job(c.fixture, true, timeoutMs, extra)),
      runtime.run(job(c.fixture, false, timeoutMs, extra)),
    ]);
    const after = await runtime.run(WELL_BEHAVED);
    // Assess
    expect({ status: asCandidate.status, reason: asCandidate.reason }).toMatchObject({
      status: c.atProcess?.checked ?? c.checked,
    });
    expect({
      status: asHarness.status,
      reason: asHarness.reason,
      stderr: asHarness.stderr.slice(-300),
    }).toMatchObject({
      status: c.atProcess?.unchecked ?? c.unchecked,
    });
    for (const result of [asCandidate, asHarness]) {
      expectNoSecret(result);
      if (c.absent) expect(`${result.stdout}${result.stderr}`).not.toMatch(c.absent);
    }
    expect(after).toMatchObject({ status: 'passed', stdout: 'ok\n' });
  });

  it("the issue's proof: a harness base64s every ancestor's environ and finds no credential", async () => {
    const result = await runtime.run(job('runtime_environ_b64', false, 8000, {}));
    expect(result.status).toBe('passed');
    expect(result.stdout).toMatch(/ancestors [1-9]/);
    expectNoSecret(result);
  });

  it("reads no ancestor's memory, maps or environ: the runtime and the supervisor are non-dumpable", async () => {
    const result = await runtime.run(job('runtime_mem', false, 8000, {}));
    expect(result).toMatchObject({ status: 'passed' });
    expect(result.stdout).toContain('opened 0');
    expect(result.stdout).toMatch(/refused \d+ 13/);
    expectNoSecret(result);
  });

  it('cannot reach the Lambda Runtime API on loopback: no socket for untrusted code', async () => {
    const result = await runtime.run(job('runtime_api', false, 5000, { 'target.txt': runtime.runtimeApi }));
    expect(result.status).toBe('failed');
    expect(result.stderr).toContain('PermissionError');
    expect(result.stdout).not.toContain('posted');
    expect(runtime.runtimeApiRequests).toEqual([]);
  });

  it('leaves nothing in /tmp, /var/tmp or /dev/shm for the next run, even a directory it locked', async () => {
    // Prepare
    const name = `te-plant-${randomUUID()}`;
    // Act
    const planted = await runtime.run(job('tmp_plant', false, 5000, { 'target.txt': name }));
    const found = await runtime.run(job('tmp_find', false, 5000, { 'target.txt': name }));
    // Assess
    expect(planted).toMatchObject({ status: 'passed', stdout: 'planted\n' });
    expect(found).toMatchObject({ status: 'passed', stdout: 'found nothing\n' });
  });

  it('removes the credentials of its own environment from output in every encoding', async () => {
    // Prepare: a program that somehow got the values (here: handed them) and encodes them
    const code = [
      'import base64, binascii, sys',
      'secret = open("secret.txt").read()',
      'for prefix in ("", "x", "xy"):',
      '    print(base64.b64encode((prefix + secret).encode()).decode())',
      '    print(base64.urlsafe_b64encode((prefix + secret).encode()).decode())',
      'print(base64.b32encode(secret.encode()).decode())',
      'print(binascii.hexlify(secret.encode()).decode().upper())',
      'print(secret[::-1])',
      'print(secret)',
    ].join('\n');
    // Act
    const results = await Promise.all(
      [runtime.secrets.secretAccessKey, runtime.secrets.sessionToken, runtime.secrets.accessKeyId].map(
        (secret) =>
          runtime.run({
            files: { 'harness.py': code, 'secret.txt': secret },
            entry: 'harness.py',
            checked: [],
            timeoutMs: 5000,
          }),
      ),
    );
    // Assess
    for (const result of results) {
      expect(result.status).toBe('passed');
      expect(result.stdout).toContain('[REDACTED]');
      expectNoSecret(result);
    }
  });
});

describe('The same thefts at the ns level, credentials in the launch environment of a root runner', () => {
  let rootRuntime: ProcessLevelRunner;
  beforeAll(async () => {
    rootRuntime = await startProcessLevelRunner({ level: 'ns', nonDumpable: false });
  }, 60_000);
  afterAll(async () => {
    await rootRuntime?.stop();
  });

  it.each([
    ['runtime_environ_b64', 'passed'],
    ['runtime_mem', 'passed'],
    ['parent_environ_cat', 'passed'],
    ['self_environ', 'failed'],
    ['proc1_environ', 'failed'],
    ['kill_runtime', 'failed'],
  ])('%s: %s, and no secret in any encoding', async (fixture, verdict) => {
    // Act
    const result = await rootRuntime.run(job(fixture, false, 8000, {}));
    // Assess: another uid in a pid namespace: the runner is neither visible nor readable
    expect(rootRuntime.capabilities.level).toBe('ns');
    expect(result.status).toBe(verdict);
    expect(leakedSecrets(JSON.stringify(result), Object.values(rootRuntime.secrets))).toEqual([]);
  });

  it('cannot reach the fake Runtime API either', async () => {
    const result = await rootRuntime.run(
      job('runtime_api', false, 5000, { 'target.txt': rootRuntime.runtimeApi }),
    );
    expect(result.status).toBe('failed');
    expect(rootRuntime.runtimeApiRequests).toEqual([]);
  });
});
