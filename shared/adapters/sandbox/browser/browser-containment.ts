import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isExecutable } from '../python-interpreter.js';
import type { BrowserSeccomp } from './browser-seccomp.js';

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
 * - `process` (not root, and Chromium's own sandbox cannot start: AWS Lambda, which allows neither
 *   user namespaces nor a setuid helper): `--no-sandbox`, under the sandbox's seccomp filter — no
 *   socket but AF_UNIX, so nothing reaches loopback (the Lambda Runtime API) or the network even
 *   where request interception does not look; no signal to the runtime or its ancestors; no leaving
 *   the process group, so the group kill reaches every process — rlimits set by the loader, WebRTC
 *   kept off UDP by policy, and a scrubbed environment. The browser shares the runtime's uid.
 *
 * Root without a working `ns` gets no level at all: Chromium refuses root without `--no-sandbox`,
 * and `--no-sandbox` without our containment is not allowed. Nor does root get `process`: its
 * browser would run as root.
 */
export type BrowserContainmentLevel = 'ns' | 'chromium-sandbox' | 'process';

const COMMON_LAYERS = [
  'request-interception',
  'service-workers-blocked',
  'websockets-refused',
  'scrubbed-env',
  'private-profile',
  'wall-clock-kill',
];

/** The layers each level applies; the seccomp layer and what the host adds are measured at start. */
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
  process: [
    ...COMMON_LAYERS,
    'rlimits',
    'runtime-signals-refused',
    'process-group-kill',
    'process-group-locked',
    'webrtc-udp-disabled',
    'tmp-sweep',
  ],
};

/**
 * What the browser runner does at the sandbox's own `SANDBOX_LEVEL`, when one is forced: `process`
 * and `ns` are the same containment in both runners, `userns` (Chromium's sandbox is built on user
 * namespaces) is `chromium-sandbox`; `uid` has no browser counterpart, so the probe picks.
 */
export function browserLevelFor(sandboxLevel: string | undefined): BrowserContainmentLevel | undefined {
  if (sandboxLevel === 'process' || sandboxLevel === 'ns') return sandboxLevel;
  if (sandboxLevel === 'userns') return 'chromium-sandbox';
  return undefined;
}

/** Chromium's own words when its sandbox cannot start (no user namespaces, no setuid helper). */
const SANDBOX_START_FAILURE = /No usable sandbox|Failed to move to new namespace|setuid sandbox/i;

export function isSandboxStartFailure(browserLog: string): boolean {
  return SANDBOX_START_FAILURE.test(browserLog);
}

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
  /** FONTCONFIG_PATH for a Chromium that ships its own fonts (the Lambda build). */
  fontconfigPath?: string;
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
    ...(spec.fontconfigPath !== undefined ? [`FONTCONFIG_PATH=${spec.fontconfigPath}`] : []),
  ];
  const lines = ['#!/bin/sh', `echo $$ > ${quote(spec.pidFile)}`];
  const envTool = spec.tools?.env ?? '/usr/bin/env';
  const mib = 1024 * 1024;
  if (spec.level === 'chromium-sandbox') {
    lines.push(`exec ${[envTool, '-i', ...env, spec.program].map(quote).join(' ')} "$@"`);
    return `${lines.join('\n')}\n`;
  }
  if (spec.level === 'process') {
    const { seccomp, limits } = spec;
    if (seccomp === undefined || limits === undefined)
      throw new Error('the process level needs the seccomp filter and limits');
    // No util-linux needed: the loader sets the limits, then loads the filter, then execs.
    const command = [
      seccomp.python,
      '-S',
      seccomp.loader,
      `--limit=data:${limits.dataMb * mib}`,
      `--limit=nproc:${limits.processes}`,
      `--limit=fsize:${limits.fileSizeMb * mib}`,
      `--limit=nofile:${limits.openFiles}`,
      '--limit=core:0',
      seccomp.program,
      envTool,
      '-i',
      ...env,
      spec.program,
    ];
    lines.push(`exec ${command.map(quote).join(' ')} "$@"`);
    return `${lines.join('\n')}\n`;
  }
  const { tools, uid, limits } = spec;
  if (tools === undefined || uid === undefined || limits === undefined)
    throw new Error('the ns level needs its tools, a uid and limits');
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

/** Writes a wrapper only its owner can read and run (root at `ns`, before it drops to the uid). */
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

/** What a program started through the `process` wrapper sees; one word each, then RLIMIT_DATA. */
const PROCESS_PROBE = `import os, resource, socket, sys
seen = []
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    seen.append("socket-open")
except PermissionError:
    seen.append("socket-refused")
try:
    os.kill(int(sys.argv[1]), 0)
    seen.append("runtime-signalled")
except PermissionError:
    seen.append("signal-refused")
try:
    os.setsid()
    seen.append("left-group")
except PermissionError:
    seen.append("group-locked")
seen.append(str(resource.getrlimit(resource.RLIMIT_DATA)[0]))
print(" ".join(seen))`;

/**
 * Runs the probe above through the same wrapper Chromium gets at `process`: an IP socket, a signal
 * to this runtime and leaving the process group must each be refused, and RLIMIT_DATA must be set.
 * Null when all hold, else what did not.
 */
export async function probeProcessWrapper(
  workRoot: string,
  seccomp: BrowserSeccomp,
  limits: BrowserLimits,
): Promise<string | null> {
  const dir = await mkdtemp(join(workRoot, 'probe-'));
  try {
    const script = join(dir, 'probe.sh');
    await writeWrapper(script, {
      level: 'process',
      program: seccomp.python,
      pidFile: join(dir, 'pid'),
      home: dir,
      limits,
      seccomp,
    });
    const { stdout } = await execFileAsync(script, ['-S', '-c', PROCESS_PROBE, String(process.pid)], {
      timeout: 10_000,
      env: { PATH: '/usr/bin:/bin' },
    });
    const seen = stdout.trim();
    const expected = `socket-refused signal-refused group-locked ${limits.dataMb * 1024 * 1024}`;
    return seen === expected ? null : `the process wrapper let through: ${seen} (expected ${expected})`;
  } catch (error) {
    return `the process wrapper failed: ${(error as Error).message.slice(0, 300)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
