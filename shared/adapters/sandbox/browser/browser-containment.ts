import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isExecutable } from '../python-interpreter.js';

/**
 * How Chromium is contained, strongest first.
 *
 * - `ns` (root with util-linux): Chromium is started through a wrapper that puts it in a new
 *   network namespace (only a loopback that is down: nothing reaches the host or the internet, even
 *   what request interception cannot see, such as WebRTC), a new pid namespace (killing its first
 *   process ends every process of the browser), under a per-job unprivileged uid with
 *   `no_new_privs`, no supplementary groups, rlimits and a scrubbed environment. Chromium's own
 *   sandbox cannot nest inside it, so only here is it started with `--no-sandbox`.
 * - `chromium-sandbox` (not root): no namespaces of ours; Chromium keeps its own sandbox, and the
 *   wrapper only scrubs the environment and records the pid for the wall-clock kill.
 *
 * Root without a working `ns` gets no level at all: Chromium refuses root without `--no-sandbox`,
 * and `--no-sandbox` without our containment is not allowed.
 */
export type BrowserContainmentLevel = 'ns' | 'chromium-sandbox';

const COMMON_LAYERS = [
  'request-interception',
  'service-workers-blocked',
  'websockets-refused',
  'scrubbed-env',
  'private-profile',
  'wall-clock-kill',
];

export const BROWSER_LEVEL_LAYERS: Readonly<Record<BrowserContainmentLevel, readonly string[]>> = {
  ns: [
    ...COMMON_LAYERS,
    'net-namespace',
    'pid-namespace',
    'per-run-uid',
    'no-new-privs',
    'rlimits',
    'uid-kill',
    'tmp-sweep',
  ],
  'chromium-sandbox': [...COMMON_LAYERS, 'chromium-sandbox', 'process-group-kill'],
};

export interface ContainmentTools {
  unshare: string;
  setpriv: string;
  prlimit: string;
  env: string;
}

export interface BrowserLimits {
  /** RLIMIT_DATA per process, in MiB (private writable memory; RLIMIT_AS cannot be used, see below). */
  dataMb: number;
  /** RLIMIT_NPROC: processes and threads of the job's uid. */
  processes: number;
  fileSizeMb: number;
  openFiles: number;
}

export interface WrapperSpec {
  level: BrowserContainmentLevel;
  /** The program the wrapper ends in (Chromium; a shell for the probe). */
  program: string;
  /** The wrapper writes its pid here (Playwright starts it as a process-group leader). */
  pidFile: string;
  /** HOME and TMPDIR of the browser, owned by `uid` at `ns`. */
  home: string;
  tools?: ContainmentTools;
  uid?: number;
  limits?: BrowserLimits;
  /** The sandbox's seccomp filter, loaded (as root, before the uid drop) by the Python loader. */
  seccomp?: BrowserSeccomp;
}

/** The filter every untrusted process starts under, and how a non-Python program gets it. */
export interface BrowserSeccomp {
  python: string;
  loader: string;
  /** libseccomp's BPF, as hex. */
  program: string;
}

const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));
const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * The seccomp filter the Python runs start under (no socket but AF_UNIX, no ptrace, no
 * process_vm_*, no bpf…), compiled by libseccomp through the system interpreter; undefined where
 * it has no binding for it.
 */
export async function compileBrowserSeccomp(python = SYSTEM_PYTHON): Promise<BrowserSeccomp | undefined> {
  try {
    const { stdout } = await promisify(execFile)(
      python,
      [
        '-c',
        'import sys; sys.path.insert(0, sys.argv[1]); import te_sandbox_supervisor as t; print(t.export_filter(sys.path))',
        PYTHON_DIR,
      ],
      { env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' }, timeout: 10_000 },
    );
    const program = stdout.trim();
    if (!/^(?:[0-9a-f]{16})+$/.test(program)) return undefined;
    return { python, loader: join(PYTHON_DIR, 'te_sandbox_seccomp_exec.py'), program };
  } catch {
    return undefined;
  }
}

const TOOL_CANDIDATES: Readonly<Record<keyof ContainmentTools, readonly string[]>> = {
  unshare: ['/usr/bin/unshare', '/bin/unshare'],
  setpriv: ['/usr/bin/setpriv', '/bin/setpriv'],
  prlimit: ['/usr/bin/prlimit', '/bin/prlimit'],
  env: ['/usr/bin/env', '/bin/env'],
};

/** The util-linux tools the `ns` level needs, or the name of the first one missing. */
export async function findContainmentTools(
  overrides: Partial<ContainmentTools> = {},
): Promise<ContainmentTools | string> {
  const found: Partial<ContainmentTools> = {};
  for (const name of Object.keys(TOOL_CANDIDATES) as Array<keyof ContainmentTools>) {
    const candidates = overrides[name] !== undefined ? [overrides[name]] : TOOL_CANDIDATES[name];
    for (const path of candidates) {
      if (await isExecutable(path)) {
        found[name] = path;
        break;
      }
    }
    if (found[name] === undefined) return name;
  }
  return found as ContainmentTools;
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The wrapper Playwright starts as Chromium. It keeps Playwright's pipe (fds 3 and 4) and argv, and
 * execs its way into the containment: unshare → prlimit → setpriv → env -i → Chromium.
 *
 * Memory is bounded by RLIMIT_DATA, not RLIMIT_AS: V8 reserves about a terabyte of address space
 * for its sandbox at start (PROT_NONE, never backed), so any useful address-space limit makes
 * Chromium abort at once, while RLIMIT_DATA counts only private writable memory.
 */
export function wrapperScript(spec: WrapperSpec): string {
  const env = [
    `HOME=${spec.home}`,
    `TMPDIR=${spec.home}`,
    `XDG_CONFIG_HOME=${join(spec.home, '.config')}`,
    `XDG_CACHE_HOME=${join(spec.home, '.cache')}`,
    'PATH=/usr/bin:/bin',
    'LANG=C.UTF-8',
  ];
  const lines = ['#!/bin/sh', `echo $$ > ${quote(spec.pidFile)}`];
  if (spec.level === 'chromium-sandbox') {
    const envTool = spec.tools?.env ?? '/usr/bin/env';
    lines.push(`exec ${[envTool, '-i', ...env, spec.program].map(quote).join(' ')} "$@"`);
    return `${lines.join('\n')}\n`;
  }
  const { tools, uid, limits } = spec;
  if (tools === undefined || uid === undefined || limits === undefined)
    throw new Error('the ns level needs its tools, a uid and limits');
  const mib = 1024 * 1024;
  const command = [
    tools.unshare,
    '--net',
    '--pid',
    '--fork',
    '--kill-child',
    '--mount-proc',
    '--',
    tools.prlimit,
    `--data=${limits.dataMb * mib}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeMb * mib}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
    // Root still: the filter is loaded before the uid drop and holds across every exec after it.
    ...(spec.seccomp ? [spec.seccomp.python, '-S', spec.seccomp.loader, spec.seccomp.program] : []),
    tools.setpriv,
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--no-new-privs',
    '--',
    tools.env,
    '-i',
    ...env,
    spec.program,
  ];
  lines.push(`exec ${command.map(quote).join(' ')} "$@"`);
  return `${lines.join('\n')}\n`;
}

/** Writes a wrapper only root can read and run (it is run by root, before it drops to the uid). */
export async function writeWrapper(path: string, spec: WrapperSpec): Promise<void> {
  await writeFile(path, wrapperScript(spec), { mode: 0o700, flag: 'wx' });
}

const execFileAsync = promisify(execFile);

/**
 * Runs a shell through the same wrapper Chromium gets and reads what it sees: its uid, and the
 * network interfaces of its namespace. Null when both are as the `ns` level promises, else why not.
 */
export async function probeNamespaceWrapper(
  workRoot: string,
  tools: ContainmentTools,
  uid: number,
  limits: BrowserLimits,
  seccomp?: BrowserSeccomp,
): Promise<string | null> {
  const dir = await mkdtemp(join(workRoot, 'probe-'));
  try {
    const script = join(dir, 'probe.sh');
    await writeWrapper(script, {
      level: 'ns',
      program: '/bin/sh',
      pidFile: join(dir, 'pid'),
      home: dir,
      tools,
      uid,
      limits,
      ...(seccomp ? { seccomp } : {}),
    });
    // With the filter, an IP socket must be refused to the wrapper's program too.
    const socketProbe = seccomp
      ? `; ${seccomp.python} -S -c 'import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print("socket-open")
except PermissionError:
    print("socket-refused")'`
      : '';
    const { stdout } = await execFileAsync(script, ['-c', `id -u; cat /proc/net/dev${socketProbe}`], {
      timeout: 10_000,
      env: { PATH: '/usr/bin:/bin' },
    });
    const lines = stdout.trim().split('\n');
    if (seccomp && lines.at(-1) !== 'socket-refused')
      return `the wrapper's seccomp filter did not refuse an IP socket (${lines.at(-1) ?? 'no answer'})`;
    const [seenUid, ...net] = seccomp ? lines.slice(0, -1) : lines;
    if (Number(seenUid) !== uid) return `the wrapper ran as uid ${seenUid}, not ${uid}`;
    const interfaces = net
      .slice(2)
      .map((line) => line.split(':')[0]?.trim())
      .filter((name): name is string => name !== undefined && name !== '');
    if (interfaces.some((name) => name !== 'lo'))
      return `the wrapper still sees network interfaces: ${interfaces.join(', ')}`;
    return null;
  } catch (error) {
    return `the containment wrapper failed: ${(error as Error).message.slice(0, 300)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
