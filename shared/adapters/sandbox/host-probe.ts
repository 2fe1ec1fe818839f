import { execFile } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { type ContainmentLevel, LEVEL_LAYERS, usesRunUid } from './containment.js';
import { type PythonInterpreter, resolvePython } from './python-interpreter.js';
import { exists, installRuntime, PYTHON_DIR } from './runtime-scripts.js';
import type { UidPool } from './uid-pool.js';

const execFileAsync = promisify(execFile);
const UNSHARE_CANDIDATES = ['/usr/bin/unshare', '/bin/unshare'];
const SYSTEM_PYTHON = '/usr/bin/python3';

/** What this machine offers a run, measured once when the runner starts. */
export interface Host {
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

export interface ProbeOptions {
  pythonPath?: string;
  workRoot?: string;
  hiddenPaths?: string[];
  seccomp?: boolean;
}

/**
 * Resolves the interpreter, prepares the work root and the boot scripts, and measures what this
 * machine allows: unshare, root (for per-run uids), libseccomp, a non-dumpable runtime. Which level
 * actually works is decided after, by a real run at each (see the runner's self-test).
 */
export async function probeHost(options: ProbeOptions): Promise<Host> {
  const python = await resolvePython(options.pythonPath);
  const uid = process.getuid?.() ?? -1;
  const isRoot = uid === 0;
  const workRoot = resolve(options.workRoot ?? join(tmpdir(), 'te-sandbox'));
  await mkdir(workRoot, { recursive: true, mode: 0o711 });
  await chmod(workRoot, 0o711);
  const runtimeDir = isRoot ? await installRuntime(workRoot, python.path) : PYTHON_DIR;
  // The program is the same whoever compiles it: without a binding for the run's interpreter
  // (the image's Python elsewhere, say), the system python3 may compile it.
  const ownProgram = options.seccomp === false ? undefined : await compileSeccomp(python, runtimeDir);
  const seccompProgram =
    ownProgram ?? (options.seccomp === false ? undefined : await compileWithSystemPython(python, runtimeDir));
  const unshare = await firstExisting(UNSHARE_CANDIDATES);
  const keep = [workRoot, runtimeDir, python.path, ...python.sysPath];
  const hiddenPaths = (options.hiddenPaths ?? defaultHiddenPaths()).filter((h) => !overlapsAny(h, keep));
  const host: Host = {
    python,
    seccomp: seccompProgram !== undefined,
    seccompBinding: ownProgram !== undefined,
    nonDumpable: await runtimeIsNonDumpable(uid),
    runtimeDir,
    workRoot,
    hiddenPaths,
    isRoot,
    uid,
  };
  if (seccompProgram !== undefined) host.seccompProgram = seccompProgram;
  if (unshare !== undefined) host.unshare = unshare;
  return host;
}

/**
 * Whether runs at this level share the runner's uid and so need the sweep by "new since the run
 * started". Not as root: uid 0 is every system process's too, and what they create is not the run's.
 */
export function sweepsSharedUid(level: ContainmentLevel, host: Host): boolean {
  return !usesRunUid(level) && !host.isRoot;
}

/** The level's layers, and what this host adds or lacks: seccomp, a non-dumpable runtime, the sweep. */
export function measuredLayers(level: ContainmentLevel, host: Host): string[] {
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
