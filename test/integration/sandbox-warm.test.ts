import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import type { SandboxJob, SandboxRunner } from '../../shared/ports/sandbox-runner.js';

/**
 * The warm interpreter: runs at the root levels start as forks of one pre-started Python. What a
 * fork server adds to worry about is what one run could leave in the server for the next (its
 * memory, patched modules, files, environment, fds), a server that dies, and many runs at once.
 * Every hostile job here is an unchecked harness: only the runtime containment stands in its way.
 */

const workRoot = join(tmpdir(), `te-sbx-warm-${process.pid}`);
const isRoot = process.getuid?.() === 0;
let warm: SandboxRunner;
let fresh: SandboxRunner;

beforeAll(async () => {
  warm = await createLocalSandboxRunner({ workRoot });
  fresh = await createLocalSandboxRunner({ workRoot, warm: false });
});

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

function harness(code: string, extra: Partial<SandboxJob> = {}): SandboxJob {
  return { files: { 'test.py': code }, entry: 'test.py', checked: [], timeoutMs: 8000, ...extra };
}

/** The warm interpreters this process started (children running the fork server). */
async function forkServers(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (ppid === process.pid && cmdline.includes('te_sandbox_forkserver')) found.push(Number(entry));
  }
  return found;
}

/**
 * What a program can see of how it was started: interpreter state, stdio, fds, env, argv and
 * its command line in /proc (its environ there the guard refuses to everyone).
 */
const SELF_PORTRAIT = `import json, os, stat, sys
def kind(fd):
    mode = os.fstat(fd).st_mode
    return "socket" if stat.S_ISSOCK(mode) else "pipe" if stat.S_ISFIFO(mode) else "chr" if stat.S_ISCHR(mode) else "other"
here = os.getcwd()
fds = []
for f in sorted(int(f) for f in os.listdir("/proc/self/fd")):
    try:
        os.fstat(f)
        fds.append(f)
    except OSError:
        pass  # the listing's own, closed by now
with open("/proc/self/cmdline", "rb") as f:
    # The run's own uid differs from run to run.
    cmdline = [a if not a.startswith(("uid=", "gid=")) else a[:4] + "<run>"
               for a in f.read().decode().replace(here, "<work>").split("\\0")]
print(json.dumps({
    "flags": repr(sys.flags),
    "path": [p.replace(here, "<work>") for p in sys.path],
    "argv": [a.replace(here, "<work>") for a in sys.argv],
    "stdio": [(s.encoding, s.line_buffering, s.write_through) for s in (sys.stdout, sys.stderr)],
    "fds": [(fd, kind(fd)) for fd in fds],
    "env": sorted(f"{k}={v}".replace(here, "<work>") for k, v in os.environ.items() if k != "TE_SANDBOX_RUN"),
    "cmdline": cmdline,
    "modules": sorted(m for m in sys.modules if not m.startswith(("json", "stat", "_stat"))),
    "pid": os.getpid(),
    "ids": (os.getuid(), os.getgid(), os.getgroups()),
}))
`;

describe.skipIf(!isRoot)('Warm interpreter (root levels)', () => {
  it('is what the layers say: warm at the level it serves, fresh when asked', () => {
    expect(warm.capabilities().layers).toContain('warm-interpreter');
    expect(fresh.capabilities().layers).toContain('fresh-interpreter');
    expect(fresh.capabilities().level).toBe(warm.capabilities().level);
  });

  it('gives the program what a fresh start gives it: interpreter, stdio, fds, env, argv, /proc', async () => {
    // Act
    const [a, b] = await Promise.all([warm.run(harness(SELF_PORTRAIT)), fresh.run(harness(SELF_PORTRAIT))]);
    // Assess
    expect(a.status).toBe('passed');
    expect(b.status).toBe('passed');
    const fromWarm = JSON.parse(a.stdout);
    const fromFresh = JSON.parse(b.stdout);
    // Only the program's own stdio and the boot's completion pipe: nothing of the server's.
    expect(fromWarm.fds).toEqual([
      [0, 'chr'],
      [1, 'socket'],
      [2, 'socket'],
      [expect.any(Number), 'pipe'],
    ]);
    // A fresh start may inherit whatever the runner's process left without close-on-exec; it has
    // at least what the warm one has.
    expect(fromFresh.fds).toEqual(expect.arrayContaining(fromWarm.fds));
    for (const key of ['flags', 'path', 'argv', 'stdio', 'env', 'cmdline', 'modules', 'pid'])
      expect({ key, value: fromWarm[key] }).toEqual({ key, value: fromFresh[key] });
    expect(fromWarm.ids[0]).not.toBe(0);
  });

  it('lets no job patch what the next one runs: modules, builtins and the supervisor stay as started', async () => {
    // Prepare: a job that rewrites every shared object it can reach, the boot's own functions first
    const patcher = harness(`import builtins, os, sys
sup = sys.modules["te_sandbox_supervisor"]
sup.completed = lambda fd, token: True
sup.report = lambda *fields: None
sys.modules["te_sandbox_guard"].install = lambda config: None
sys.modules["te_sandbox_policy"].LEFT_BY_A_JOB = True
builtins.LEFT_BY_A_JOB = True
os.LEFT_BY_A_JOB = True
print("patched")
`);
    const victim = harness(`import builtins, os, sys
sup = sys.modules["te_sandbox_supervisor"]
print(hasattr(builtins, "LEFT_BY_A_JOB"), hasattr(os, "LEFT_BY_A_JOB"),
      hasattr(sys.modules["te_sandbox_policy"], "LEFT_BY_A_JOB"), sup.completed.__name__)
raise SystemExit(5)
`);
    // Act
    expect(await warm.run(patcher)).toMatchObject({ status: 'passed', stdout: 'patched\n' });
    const next = await warm.run(victim);
    // Assess: untouched, and its own failure is still a failure (no forged completion)
    expect(next).toMatchObject({ status: 'failed', exitCode: 5, stdout: 'False False False completed\n' });
  });

  it('keeps nothing of one job in the memory the next job is forked from', async () => {
    // Prepare: a secret that passes through a run as its original, a file and its output
    const secret = `secret-${randomUUID()}`;
    const first = harness(`print(open("data.txt").read())\n`, {
      files: { 'test.py': 'print(open("data.txt").read())\n', 'data.txt': secret },
      original: `SECRET = "${secret}"\n`,
    });
    // Its own memory, read directly (its /proc/self/mem is root's once it has the run's uid). The
    // secret is looked for in two halves, so the scan itself never holds it whole.
    const half = 20;
    const scan = harness(`import ctypes
head, tail = b"${secret.slice(0, half)}", b"${secret.slice(half)}"
found = False
with open("/proc/self/maps") as maps:
    for line in maps:
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        if not fields[1].startswith("r") or (len(fields) > 5 and fields[5].startswith("[v")):
            continue
        data = ctypes.string_at(start, end - start)
        at = data.find(head)
        while at >= 0 and not found:
            found = data[at + len(head) : at + len(head) + len(tail)] == tail
            at = data.find(head, at + 1)
print("found" if found else "clean")
`);
    const control = harness(scan.files['test.py'] ?? '', { original: `SECRET = "${secret}"\n` });
    // Act
    expect(await warm.run(first)).toMatchObject({ status: 'passed', stdout: `${secret}\n` });
    const after = await warm.run(scan);
    const own = await warm.run(control);
    // Assess: clean after another job; and the scan does find the secret where it is (its own original)
    expect(after).toMatchObject({ status: 'passed', stdout: 'clean\n' });
    expect(own).toMatchObject({ status: 'passed', stdout: 'found\n' });
  });

  it("leaves a job nothing of another's environment, files or fds, even while that one still runs", async () => {
    // Prepare: a job that sets variables, writes files everywhere it may, holds fds open and waits
    const holder = harness(`import os, socket, time
os.environ["LEFT_BY_A_JOB"] = "1"
os.putenv("LEFT_BY_A_JOB_TOO", "1")
for d in (".", "/tmp", "/var/tmp", "/dev/shm"):
    try:
        open(os.path.join(d, "left-by-a-job"), "w").write("x")
    except PermissionError:
        pass  # the guard refuses it; what the kernel allows is still checked by the next job
kept = [open("kept.txt", "w"), socket.socketpair(), os.pipe()]
for f in os.listdir("/proc/self/fd"):
    try:
        os.set_inheritable(int(f), True)
    except OSError:
        pass
print("holding", flush=True)
time.sleep(2.5)
`);
    const looker = harness(`import os, time
time.sleep(0.8)
seen = [k for k in os.environ if k.startswith("LEFT_BY")]
files = [d for d in (".", "/tmp", "/var/tmp", "/dev/shm") if os.path.exists(os.path.join(d, "left-by-a-job"))]
fds = []
for f in os.listdir("/proc/self/fd"):
    try:
        os.fstat(int(f))
        fds.append(f)
    except OSError:
        pass  # the listing's own, closed by now
print(seen, files, len(fds))
`);
    // Act
    const [held, looked] = await Promise.all([warm.run(holder), warm.run(looker)]);
    const later = await warm.run(looker);
    // Assess: 0, 1, 2 and the completion pipe, as in a run alone
    expect(held).toMatchObject({ status: 'passed', stdout: 'holding\n' });
    expect(looked).toMatchObject({ status: 'passed', stdout: '[] [] 4\n' });
    expect(later).toMatchObject({ status: 'passed', stdout: '[] [] 4\n' });
  });

  it('runs many jobs at once, each with only its own output', async () => {
    // Prepare
    const tokens = Array.from({ length: 12 }, () => randomUUID());
    // Act
    const results = await Promise.all(
      tokens.map((t) => warm.run(harness(`import time\ntime.sleep(0.3)\nprint("${t}")\n`))),
    );
    // Assess
    for (const [i, r] of results.entries())
      expect(r).toMatchObject({ status: 'passed', stdout: `${tokens[i]}\n` });
  });

  it('reports a run as a sandbox crash when the server dies under it, then starts a new server', async () => {
    // Prepare: the server is started, and one run is under way in it
    await warm.run(harness('pass\n'));
    const [server] = await forkServers();
    expect(server).toBeDefined();
    const running = warm.run(harness('import time\nprint("started", flush=True)\ntime.sleep(5)\n'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    // Act
    process.kill(server ?? 0, 'SIGKILL');
    const lost = await running;
    const next = await warm.run(harness('print("after")\n'));
    // Assess
    expect(lost).toMatchObject({ status: 'crashed', crashedBy: 'sandbox' });
    expect(lost.reason).toContain('warm interpreter ended');
    expect(next).toMatchObject({ status: 'passed', stdout: 'after\n' });
    expect(await forkServers()).not.toContain(server);
  });

  it('retries a run its server died before starting, on a new server', async () => {
    // Prepare
    await warm.run(harness('pass\n'));
    const servers = await forkServers();
    // Act: the request goes to a server that is already dead
    for (const pid of servers) process.kill(pid, 'SIGKILL');
    const result = await warm.run(harness('print("retried")\n'));
    // Assess
    expect(result).toMatchObject({ status: 'passed', stdout: 'retried\n' });
  });
});
