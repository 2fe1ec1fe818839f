import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  access,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentialValues, sanitizeOutput, secretForms } from '../../domain/output-sanitizer.js';
import { DEFAULT_POLICIES, type ProblemKind, type SandboxPolicy } from '../../domain/sandbox-policy.js';
import { type RunResult, sandboxCrash } from '../../domain/types.js';
import type { SandboxCapabilities, SandboxJob, SandboxRunner } from '../../ports/sandbox-runner.js';
import {
  type ContainmentLevel,
  LEVEL_LAYERS,
  LEVELS_STRONGEST_FIRST,
  launchCommand,
  levelFits,
  usesPrivateDisk,
  usesRunUid,
  usesUnshare,
} from './containment.js';
import { InvalidSandboxJobError, SandboxUnavailableError } from './errors.js';
import { OutputCollector } from './output-collector.js';
import { encodeGuardConfig, policyArgs } from './policy-args.js';
import {
  killProcessesMentioning,
  killProcessesOfUid,
  SHARED_UID_SWEEP_DIRS,
  snapshotOwned,
  sweepFilesOfUid,
  sweepNewOwned,
  tasksOfUid,
} from './proc-scan.js';
import { type PythonInterpreter, resolvePython } from './python-interpreter.js';
import { UidPool } from './uid-pool.js';
import { parseAllowed, parseBootReport, toOutcome } from './verdict.js';

export interface LocalSandboxRunnerOptions {
  /** Interpreter to run; the caller passes SANDBOX_PYTHON here. @default /usr/bin/python3, then python3 on PATH */
  pythonPath?: string;
  /** Insist on one level (tests, the bench); creation fails when it does not work. @default the strongest that works */
  level?: ContainmentLevel;
  /** Policies by kind, replacing the defaults. */
  policies?: Partial<Record<ProblemKind, SandboxPolicy>>;
  /** Kind used when a job names none. @default 'fix' */
  defaultKind?: ProblemKind;
  /** Where work dirs live. @default `<tmpdir>/te-sandbox` */
  workRoot?: string;
  /** Address-space limit per process. @default 1024 */
  memoryMb?: number;
  /** Largest file a run may write. @default 64 */
  fileSizeMb?: number;
  /**
   * Everything a run may write in total, at the `ns` level: its work dir, /tmp, /var/tmp and
   * /dev/shm are one private tmpfs of this size, and every other mount is read-only. Other levels
   * have only the per-file cap (`fileSizeMb`). @default 64
   */
  diskMb?: number;
  /** @default 256 */
  openFiles?: number;
  /** Processes (threads count) a run may have at once. @default 64 */
  processes?: number;
  /** Per-stream cap in the result. @default 64 KiB */
  resultOutputBytes?: number;
  /** Per-stream cap in `logs`. @default 1 MiB */
  logOutputBytes?: number;
  /** Output (both streams) after which the run is ended as crashed. @default 16 MiB */
  maxOutputBytes?: number;
  /** First uid handed to runs at the uid levels. @default 200000 */
  uidBase?: number;
  /** @default 4096 */
  uidCount?: number;
  /** Paths hidden behind empty read-only mounts at the `ns` level. @default the cwd, the home dir, /root, /home */
  hiddenPaths?: string[];
  /** How long after the deadline the runner kills the sandbox itself, if the boot script has not. @default 1500 */
  backstopGraceMs?: number;
  /**
   * Load the seccomp filter into every untrusted process (no IP/netlink/packet sockets, no ptrace,
   * process_vm_*, bpf, io_uring). `false` only for measuring its cost. When the interpreter cannot
   * load libseccomp the runner says so in its layers (`seccomp-unavailable`). @default true
   */
  seccomp?: boolean;
  /**
   * Deployment secrets to remove from every output, on top of the credentials in this process's
   * own environment (AWS_*, *_KEY, *_SECRET, *_TOKEN, …), in every encoding `secretForms` knows.
   */
  secrets?: readonly string[];
}

const execFileAsync = promisify(execFile);
const PYTHON_DIR = fileURLToPath(new URL('./python/', import.meta.url));
const PYTHON_FILES = [
  'te_sandbox_boot.py',
  'te_sandbox_supervisor.py',
  'te_sandbox_guard.py',
  'te_sandbox_policy.py',
  'te_sandbox_disk.py',
  'sitecustomize.py',
];
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const UNSHARE_CANDIDATES = ['/usr/bin/unshare', '/bin/unshare'];

interface Settings {
  memoryMb: number;
  fileSizeMb: number;
  diskMb: number;
  openFiles: number;
  processes: number;
  resultOutputBytes: number;
  logOutputBytes: number;
  maxOutputBytes: number;
  backstopGraceMs: number;
  /** Encoded forms of every secret the output must not carry (see secretForms). */
  secretForms: readonly string[];
}

interface Host {
  python: PythonInterpreter;
  /** The interpreter can load libseccomp (Debian's `seccomp` binding or `pyseccomp`). */
  seccomp: boolean;
  /** The filter as libseccomp compiled it at start (BPF, hex), for runs without ancestor rules. */
  seccompProgram?: string;
  /** The run's own interpreter has the binding, so the supervisor can add the ancestors' pids. */
  seccompBinding: boolean;
  /** The runner's own process is non-dumpable: its /proc entries are closed to its own uid. */
  nonDumpable: boolean;
  unshare?: string;
  runtimeDir: string;
  workRoot: string;
  hiddenPaths: string[];
  isRoot: boolean;
  uid: number;
  uidPool?: UidPool;
}

/**
 * Creates the local sandbox runner: resolves the interpreter, prepares the boot scripts, and probes
 * the containment levels once (a real run of a tiny program at each until one works).
 */
export async function createLocalSandboxRunner(
  options: LocalSandboxRunnerOptions = {},
): Promise<SandboxRunner> {
  const python = await resolvePython(options.pythonPath);
  const uid = process.getuid?.() ?? -1;
  const isRoot = uid === 0;
  const workRoot = resolve(options.workRoot ?? join(tmpdir(), 'te-sandbox'));
  await mkdir(workRoot, { recursive: true, mode: 0o711 });
  await chmod(workRoot, 0o711);
  const runtimeDir = isRoot ? await installRuntime(workRoot, python.path) : PYTHON_DIR.replace(/\/$/, '');
  // The program is the same whoever compiles it: without a binding for the run's interpreter
  // (the image's Python elsewhere, say), the system python3 may compile it.
  const ownProgram = options.seccomp === false ? undefined : await compileSeccomp(python, runtimeDir);
  const seccompProgram =
    ownProgram ?? (options.seccomp === false ? undefined : await compileWithSystemPython(python, runtimeDir));
  const seccomp = seccompProgram !== undefined;
  const unshare = await firstExisting(UNSHARE_CANDIDATES);
  const keep = [workRoot, runtimeDir, python.path, ...python.sysPath];
  const hiddenPaths = (options.hiddenPaths ?? defaultHiddenPaths()).filter((h) => !overlapsAny(h, keep));
  const nonDumpable = await runtimeIsNonDumpable(uid);
  const host: Host = {
    python,
    seccomp,
    seccompBinding: ownProgram !== undefined,
    nonDumpable,
    runtimeDir,
    workRoot,
    hiddenPaths,
    isRoot,
    uid,
  };
  if (seccompProgram !== undefined) host.seccompProgram = seccompProgram;
  if (unshare !== undefined) host.unshare = unshare;
  const settings: Settings = {
    memoryMb: options.memoryMb ?? 1024,
    fileSizeMb: options.fileSizeMb ?? 64,
    diskMb: options.diskMb ?? 64,
    openFiles: options.openFiles ?? 256,
    processes: options.processes ?? 64,
    resultOutputBytes: options.resultOutputBytes ?? 64 * 1024,
    logOutputBytes: options.logOutputBytes ?? 1024 * 1024,
    maxOutputBytes: options.maxOutputBytes ?? 16 * 1024 * 1024,
    backstopGraceMs: options.backstopGraceMs ?? 1500,
    secretForms: secretForms([...credentialValues(process.env), ...(options.secrets ?? [])]),
  };
  if (!(Number.isInteger(settings.diskMb) && settings.diskMb > 0))
    throw new RangeError(`diskMb must be a positive whole number of MiB, not ${settings.diskMb}`);
  const policies: Record<ProblemKind, SandboxPolicy> = { ...DEFAULT_POLICIES, ...options.policies };
  const defaultKind = options.defaultKind ?? 'fix';

  const candidates = options.level !== undefined ? [options.level] : LEVELS_STRONGEST_FIRST;
  const failures: string[] = [];
  for (const level of candidates) {
    if (!levelFits(level, isRoot)) {
      failures.push(`${level}: needs ${isRoot ? 'a non-root user' : 'root'}`);
      continue;
    }
    if (usesUnshare(level) && unshare === undefined) {
      failures.push(`${level}: unshare not found`);
      continue;
    }
    if (usesRunUid(level)) {
      const pool = new UidPool(join(workRoot, 'uids'), options.uidBase ?? 200_000, options.uidCount ?? 4096);
      await pool.init();
      host.uidPool = pool;
    } else {
      // A stronger level tried first left its pool: runs at this one keep the runner's uid.
      delete host.uidPool;
    }
    const runner = new LocalSandboxRunner(level, host, settings, policies, defaultKind);
    const problem = await runner.selfTest();
    if (problem === null) return runner;
    failures.push(`${level}: ${problem}`);
  }
  if (options.level !== undefined)
    throw new SandboxUnavailableError(
      `containment level ${options.level} cannot be provided here (${failures.join('; ')})`,
    );
  throw new SandboxUnavailableError(`no containment level works here (${failures.join('; ')})`);
}

class LocalSandboxRunner implements SandboxRunner {
  private readonly layers: readonly string[];
  /** Work dirs of the runs in progress: never swept by another run's sweep. */
  private readonly active = new Set<string>();

  constructor(
    private readonly level: ContainmentLevel,
    private readonly host: Host,
    private readonly settings: Settings,
    private readonly policies: Record<ProblemKind, SandboxPolicy>,
    private readonly defaultKind: ProblemKind,
  ) {
    this.layers = measuredLayers(level, host);
  }

  capabilities(): SandboxCapabilities {
    return { level: this.level, layers: [...this.layers], interpreter: this.host.python.path };
  }

  /**
   * A real run of a tiny checked program under a harness; null when it passed and every layer the
   * runner claims held, else why not.
   */
  async selfTest(): Promise<string | null> {
    const result = await this.run({
      files: { 'probe.py': 'import os\nprint(os.getuid())\n', 'harness.py': SELF_TEST_HARNESS },
      entry: 'harness.py',
      checked: ['probe.py'],
      timeoutMs: 10_000,
    });
    if (result.status !== 'passed') {
      const stderr = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
      return `${result.status}: ${result.reason ?? ''}${stderr ? ` (${stderr})` : ''}`;
    }
    const [uid = '', socket = ''] = result.stdout.trim().split('\n');
    if (usesRunUid(this.level) && uid.trim() === '0') return 'the program still ran as root';
    if (this.host.seccomp && socket.trim() !== 'socket refused 13')
      return `the seccomp filter did not refuse an IP socket (${socket.trim()})`;
    return null;
  }

  async run(job: SandboxJob): Promise<RunResult> {
    validateJob(job);
    const kind = job.kind ?? this.defaultKind;
    const runUid = this.host.uidPool ? await this.host.uidPool.acquire() : undefined;
    const sweepShared = sweepsSharedUid(this.level, this.host);
    const started = Date.now();
    const before = sweepShared
      ? await snapshotOwned(this.host.uid, [...SHARED_UID_SWEEP_DIRS, this.host.workRoot])
      : undefined;
    let workdir: string | undefined;
    let clean = false;
    try {
      workdir = await mkdtemp(join(this.host.workRoot, 'run-'));
      this.active.add(workdir);
      await writeFiles(workdir, job.files, runUid);
      const ran = await this.execute(job, kind, workdir, runUid);
      clean = ran.clean;
      return ran.result;
    } catch (error) {
      return crashed(`sandbox failed to prepare the run: ${(error as Error).message}`);
    } finally {
      if (runUid !== undefined) {
        // The supervisor kills by uid itself when it gets to finish; this covers when it did not.
        if (!clean) await killProcessesOfUid(runUid).catch(() => undefined);
      }
      // At `ns` the run could write nothing of the host's (every mount read-only but its own
      // tmpfs, gone with its namespace): the sweep by owner is for the `uid` level.
      const sweepByOwner = runUid !== undefined && !usesPrivateDisk(this.level);
      await Promise.all([
        sweepByOwner ? sweepFilesOfUid(runUid).catch(() => undefined) : undefined,
        workdir !== undefined ? removeTree(workdir) : undefined,
      ]);
      if (workdir !== undefined) this.active.delete(workdir);
      // The run shared this process's uid: what that uid made meanwhile in /tmp & co. goes too.
      if (before !== undefined)
        await sweepNewOwned(this.host.uid, before, started, this.active, removeTree).catch(() => undefined);
      if (runUid !== undefined) await this.host.uidPool?.release(runUid);
    }
  }

  private async execute(
    job: SandboxJob,
    kind: ProblemKind,
    workdir: string,
    runUid?: number,
  ): Promise<{ result: RunResult; clean: boolean }> {
    const s = this.settings;
    const marker = `te-run-${createHash('sha256').update(workdir).digest('hex').slice(0, 16)}`;
    const guard = encodeGuardConfig({
      workdir,
      checked: job.checked.join(','),
      ...policyArgs(this.policies[kind]),
    });
    const bootArgs = [
      `level=${this.level}`,
      `entry=${job.entry}`,
      `timeout_ms=${job.timeoutMs}`,
      `cpu_s=${Math.ceil(job.timeoutMs / 1000) + 1}`,
      `mem_mb=${s.memoryMb}`,
      `fsize_mb=${s.fileSizeMb}`,
      `nofile=${s.openFiles}`,
      `nproc=${await this.processLimit(runUid)}`,
      `syspath=${this.host.python.sysPath.join(':')}`,
    ];
    if (runUid !== undefined) bootArgs.push(`uid=${runUid}`, `gid=${runUid}`);
    if (this.level === 'ns' && this.host.hiddenPaths.length > 0)
      bootArgs.push(`hide=${this.host.hiddenPaths.join(':')}`);
    if (usesPrivateDisk(this.level)) bootArgs.push(`disk_mb=${s.diskMb}`);
    if (job.original !== undefined) bootArgs.push('original=1');
    if (this.host.seccomp) bootArgs.push('seccomp=1');
    if (this.host.seccompProgram !== undefined) bootArgs.push(`seccomp_bpf=${this.host.seccompProgram}`);
    if (this.host.seccompBinding) bootArgs.push('seccomp_binding=1');
    const command = launchCommand(
      this.level,
      { python: this.host.python.path, ...(this.host.unshare ? { unshare: this.host.unshare } : {}) },
      join(this.host.runtimeDir, 'te_sandbox_boot.py'),
      bootArgs,
    );
    const env = sandboxEnv(this.host, workdir, guard, marker);

    const stdout = new OutputCollector(s.logOutputBytes + 4096, s.logOutputBytes / 2);
    const stderr = new OutputCollector(s.logOutputBytes + 4096, s.logOutputBytes / 2);
    let report = '';
    let outputLimitHit = false;
    let backstopFired = false;
    let spawnError: string | undefined;

    const started = performance.now();
    const child = spawn(command.file, command.args, {
      cwd: workdir,
      env,
      stdio: [job.original !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    if (job.original !== undefined && child.stdin) {
      // The supervisor reads it all before anything untrusted starts; a run that dies early closes it.
      child.stdin.on('error', () => undefined);
      child.stdin.end(job.original);
    }
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    };
    const onOutput = (collector: OutputCollector) => (chunk: Buffer) => {
      collector.push(chunk);
      if (!outputLimitHit && stdout.total + stderr.total > s.maxOutputBytes) {
        outputLimitHit = true;
        killGroup();
      }
    };
    child.stdout?.on('data', onOutput(stdout));
    child.stderr?.on('data', onOutput(stderr));
    const reportStream = child.stdio[3];
    reportStream?.on('data', (chunk: Buffer) => {
      if (report.length < 16_384) report += chunk.toString('utf8');
    });
    const backstop = setTimeout(() => {
      backstopFired = true;
      killGroup();
    }, job.timeoutMs + s.backstopGraceMs);

    const { exitCode, signal } = await new Promise<{
      exitCode: number | null;
      signal: NodeJS.Signals | null;
    }>((done) => {
      child.once('error', (error) => {
        spawnError = error.message;
        done({ exitCode: null, signal: null });
      });
      child.once('close', (code, sig) => done({ exitCode: code, signal: sig }));
    });
    const durationMs = performance.now() - started;
    clearTimeout(backstop);

    const parsed = parseBootReport(report);
    const clean = parsed !== null && !backstopFired && !outputLimitHit;
    if (!clean) {
      // The supervisor did not clean up after itself: find what is left by uid or by marker.
      killGroup();
      if (runUid === undefined) await killProcessesMentioning(marker).catch(() => undefined);
    }
    const outcome = toOutcome({
      report: parsed,
      backstopFired,
      outputLimitHit,
      ...(spawnError !== undefined ? { spawnError } : {}),
      exitCode,
      signal,
      timeoutMs: job.timeoutMs,
      memoryMb: s.memoryMb,
      outputLimitBytes: s.maxOutputBytes,
    });
    const out = sanitizeStreams(stdout.text(), stderr.text(), s);
    const result: RunResult = {
      status: outcome.status,
      exitCode: outcome.exitCode,
      durationMs: Math.round(durationMs * 100) / 100,
      stdout: out.stdout.text,
      stderr: out.stderr.text,
      stdoutTruncated: out.stdout.truncated,
      stderrTruncated: out.stderr.truncated,
      logs: { stdout: out.logs.stdout, stderr: out.logs.stderr },
    };
    if (outcome.reason !== undefined) result.reason = outcome.reason;
    if (outcome.crashedBy !== undefined) result.crashedBy = outcome.crashedBy;
    const allowed = parseAllowed(report);
    if (allowed.length > 0) result.allowed = allowed;
    result.containment = { level: this.level, layers: [...this.layers] };
    return { result, clean };
  }

  /** RLIMIT_NPROC counts every thread of the uid: a fresh run uid starts at zero, a shared one does not. */
  private async processLimit(runUid?: number): Promise<number> {
    if (runUid !== undefined) return this.settings.processes;
    return (await tasksOfUid(this.host.uid)) + this.settings.processes;
  }
}

/** Imports the probe program, then tries an IP socket: the seccomp filter must refuse it (EACCES). */
const SELF_TEST_HARNESS = `import _socket
import probe
try:
    _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM).close()
    print("socket opened")
except OSError as error:
    print("socket refused", error.errno)
`;

/**
 * Whether runs at this level share the runner's uid and so need the sweep by "new since the run
 * started". Not as root: uid 0 is every system process's too, and what they create is not the run's.
 */
function sweepsSharedUid(level: ContainmentLevel, host: Host): boolean {
  return !usesRunUid(level) && !host.isRoot;
}

/** The level's layers, and what this host adds or lacks: seccomp, a non-dumpable runtime, the sweep. */
function measuredLayers(level: ContainmentLevel, host: Host): string[] {
  const layers = [...LEVEL_LAYERS[level]];
  if (sweepsSharedUid(level, host)) layers.push('tmp-sweep');
  layers.push(host.seccomp ? 'seccomp' : 'seccomp-unavailable');
  // At `process` the filter also names the ancestors' pids, which needs libseccomp in the run's Python.
  if (level === 'process' && host.seccomp && !host.seccompBinding)
    layers.push('seccomp-without-signal-rules');
  // Only at `process` does the run share the runner's uid and see its /proc entries.
  if (level === 'process')
    layers.push(host.nonDumpable ? 'runtime-non-dumpable' : 'runtime-environ-readable');
  return layers;
}

const SECCOMP_EXPORT = `import sys
sys.path.insert(0, sys.argv[1])
import te_sandbox_supervisor
print(te_sandbox_supervisor.export_filter(sys.argv[2].split(":")))`;

/**
 * The seccomp filter compiled by libseccomp, once, at start (BPF as hex); undefined when the
 * interpreter has no binding for it. Runs load it with prctl; at `process` the supervisor builds
 * it again with the ancestors' pids added.
 */
async function compileSeccomp(python: PythonInterpreter, runtimeDir: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(
      python.path,
      ['-S', '-c', SECCOMP_EXPORT, runtimeDir, python.sysPath.join(':')],
      { env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' }, timeout: 10_000 },
    );
    const program = stdout.trim();
    return /^(?:[0-9a-f]{16})+$/.test(program) ? program : undefined;
  } catch {
    return undefined;
  }
}

async function compileWithSystemPython(
  python: PythonInterpreter,
  runtimeDir: string,
): Promise<string | undefined> {
  if (python.path === SYSTEM_PYTHON) return undefined;
  try {
    return await compileSeccomp(await resolvePython(SYSTEM_PYTHON), runtimeDir);
  } catch {
    return undefined;
  }
}

const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * Whether this process is non-dumpable: the kernel then gives its /proc entries to root, so a
 * program of the same uid cannot read its environ, mem or fds. Node cannot make itself so; it is
 * when its executable is not readable to the uid that starts it (execute-only), as in the image.
 */
async function runtimeIsNonDumpable(uid: number): Promise<boolean> {
  if (uid === 0) return false;
  try {
    return (await stat('/proc/self/environ')).uid !== uid;
  } catch {
    return false;
  }
}

function sanitizeStreams(stdout: string, stderr: string, s: Settings) {
  const logs = {
    stdout: sanitizeOutput(stdout, s.logOutputBytes, s.secretForms),
    stderr: sanitizeOutput(stderr, s.logOutputBytes, s.secretForms),
  };
  return {
    logs: { stdout: logs.stdout.text, stderr: logs.stderr.text },
    stdout: withFlag(sanitizeOutput(logs.stdout.text, s.resultOutputBytes), logs.stdout.truncated),
    stderr: withFlag(sanitizeOutput(logs.stderr.text, s.resultOutputBytes), logs.stderr.truncated),
  };
}

function withFlag(capped: { text: string; truncated: boolean }, already: boolean) {
  return { text: capped.text, truncated: capped.truncated || already };
}

function crashed(reason: string): RunResult {
  return sandboxCrash(reason);
}

/**
 * Only what the program needs. Nothing of the runner's environment is passed on: no AWS_*, no
 * keys. PYTHONPATH carries the guard into every Python the program starts.
 */
function sandboxEnv(host: Host, workdir: string, guard: string, marker: string): Record<string, string> {
  return {
    PATH: `${dirname(host.python.path)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: workdir,
    TMPDIR: workdir,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    PYTHONUNBUFFERED: '1',
    PYTHONNOUSERSITE: '1',
    PYTHONPATH: host.runtimeDir,
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    MPLBACKEND: 'Agg',
    TE_SANDBOX_GUARD: guard,
    TE_SANDBOX_RUN: marker,
  };
}

function validateJob(job: SandboxJob): void {
  const names = Object.keys(job.files);
  for (const name of names) {
    if (!SAFE_NAME.test(name))
      throw new InvalidSandboxJobError(`file name ${JSON.stringify(name)} is not a plain name`);
  }
  if (!names.includes(job.entry))
    throw new InvalidSandboxJobError(`entry ${job.entry} is not among the files`);
  for (const name of job.checked) {
    if (!names.includes(name))
      throw new InvalidSandboxJobError(`checked file ${name} is not among the files`);
  }
  if (!(job.timeoutMs > 0)) throw new InvalidSandboxJobError('timeoutMs must be positive');
  if (job.original !== undefined && typeof job.original !== 'string')
    throw new InvalidSandboxJobError('original must be the source of the original program');
}

async function writeFiles(workdir: string, files: Record<string, string>, uid?: number): Promise<void> {
  await Promise.all(
    Object.entries(files).map(async ([name, content]) => {
      const path = join(workdir, name);
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      if (uid !== undefined) await chown(path, uid, uid);
    }),
  );
  if (uid !== undefined) await chown(workdir, uid, uid);
}

/** Removes a work dir even when the program took the permissions off its own subdirectories. */
async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    await restorePermissions(path);
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function restorePermissions(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => restorePermissions(join(dir, e.name))));
}

/**
 * Copies the boot scripts into a root-owned, world-readable dir named by their content, compiled
 * (runs never write bytecode, and compiling the supervisor on every start would cost ~5 ms): the
 * run's uid can read them and cannot change them, and the bundle's own location may not be
 * readable to it. Not root (Lambda), the scripts run from where they are; the image precompiles them.
 */
async function installRuntime(workRoot: string, python: string): Promise<string> {
  const contents = await Promise.all(PYTHON_FILES.map((f) => readFile(join(PYTHON_DIR, f))));
  const hash = createHash('sha256').update(python);
  for (const c of contents) hash.update(c);
  const dir = join(workRoot, `rt-${hash.digest('hex').slice(0, 16)}`);
  if (await exists(join(dir, PYTHON_FILES[0] ?? ''))) return dir;
  const staging = await mkdtemp(join(workRoot, 'rt-staging-'));
  await Promise.all(
    PYTHON_FILES.map((f, i) => writeFile(join(staging, f), contents[i] ?? '', { mode: 0o644 })),
  );
  await compileInto(python, staging, dir);
  await chmod(staging, 0o755);
  try {
    await rename(staging, dir);
  } catch {
    // another runner installed the same content first
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}

const COMPILE = `import py_compile, sys
src, final = sys.argv[1], sys.argv[2]
for name in sys.argv[3:]:
    py_compile.compile(src + "/" + name, dfile=final + "/" + name, doraise=True)`;

/** Bytecode for every module but the entry script, recorded under the dir it will be renamed to. */
async function compileInto(python: string, staging: string, finalDir: string): Promise<void> {
  const modules = PYTHON_FILES.filter((f) => f !== 'te_sandbox_boot.py');
  await execFileAsync(python, ['-c', COMPILE, staging, finalDir, ...modules], {
    env: { PATH: '/usr/bin:/bin' },
    timeout: 30_000,
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
}

function defaultHiddenPaths(): string[] {
  let home: string[] = [];
  try {
    home = [homedir()];
  } catch {
    // a uid without a passwd entry and no HOME (as a Lambda's can be)
  }
  return [...new Set([process.cwd(), ...home, '/root', '/home'])];
}

/** Whether hiding `path` would hide (or sit inside) something the run needs. */
function overlapsAny(path: string, needed: readonly string[]): boolean {
  const p = withSep(resolve(path));
  return needed.some((n) => {
    const q = withSep(resolve(n));
    return q.startsWith(p) || p.startsWith(q);
  });
}

function withSep(path: string): string {
  return path.endsWith(sep) ? path : path + sep;
}
