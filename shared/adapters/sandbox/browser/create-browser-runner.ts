import { access, chmod, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { BrowserJob, BrowserRunner } from '../../../ports/browser-runner.js';
import { SandboxUnavailableError } from '../errors.js';
import { DEFAULT_UID_LOCK_DIR, UidPool } from '../uid-pool.js';
import {
  type BrowserContainmentLevel,
  type ContainmentTools,
  findContainmentTools,
  isSandboxStartFailure,
  probeNamespaceWrapper,
  probeProcessWrapper,
} from './browser-containment.js';
import { compileBrowserSeccomp, runtimeAncestors, SYSTEM_PYTHON } from './browser-seccomp.js';
import { CdnLibraries } from './cdn-libraries.js';
import { PlaywrightBrowserRunner, type Settings } from './playwright-browser-runner.js';

export interface BrowserRunnerOptions {
  /** @default /usr/bin/chromium */
  chromiumPath?: string;
  /**
   * The containment to use instead of the strongest that works (`browserLevelFor(SANDBOX_LEVEL)`);
   * the runner refuses to start when this host cannot provide it.
   */
  level?: BrowserContainmentLevel;
  /**
   * Interpreters that may compile the seccomp filter, tried before the system `python3` (the
   * image's Python 3.12 has the binding, its system python3 none). @default []
   */
  pythonPaths?: readonly string[];
  /**
   * FONTCONFIG_PATH for the browser (its environment is scrubbed). @default `fonts/` beside the
   * Chromium binary when it holds a `fonts.conf` (the Lambda build's own fonts), else unset
   */
  fontconfigPath?: string;
  /** The origin the site is served under. @default https://site.truth-engine.test */
  origin?: string;
  /** Where job dirs (wrapper, profile) live. @default `<tmpdir>/te-browser` */
  workRoot?: string;
  /**
   * The uid pool's lock dir. Shared with the Python sandbox by default, so a browser job and a
   * Python run never get the same uid (each kills "every process of its uid"). @default `<tmpdir>/te-sandbox/uids`
   */
  uidLockDir?: string;
  /** @default 200000, as the Python sandbox */
  uidBase?: number;
  /** @default 4096 */
  uidCount?: number;
  /** Private writable memory per browser process (RLIMIT_DATA). @default 1024 */
  dataMb?: number;
  /** V8's old-space limit in each page, so an allocating page dies early. @default 512 */
  jsHeapMb?: number;
  /** Processes and threads of the job's uid (at `process`, of the runtime's uid). @default 1024 */
  processes?: number;
  /** @default 64 */
  fileSizeMb?: number;
  /** @default 4096 */
  openFiles?: number;
  /** Longest wait for network idle after `load`. @default 2000 */
  networkIdleMs?: number;
  /** Tool paths, for a host where they live elsewhere. */
  tools?: Partial<ContainmentTools>;
  /**
   * Start Chromium under the sandbox's seccomp filter (no socket but AF_UNIX, no ptrace…), as every
   * untrusted Python process is; where libseccomp is missing the layers say `seccomp-unavailable`.
   * The `process` level cannot do without it. @default true
   */
  seccomp?: boolean;
}

const PROBE_JOB: BrowserJob = {
  files: [{ path: 'index.html', content: Buffer.from('<!DOCTYPE html><title>probe</title><p>probe</p>') }],
  checks: [{ id: 'title', js: 'document.title === "probe"' }],
  timeoutMs: 30_000,
};

/**
 * Creates the browser runner and picks its containment: `ns` when root (and refuses to run at all
 * when root cannot contain Chromium); not root, Chromium's own sandbox, and `process` when that
 * sandbox cannot start here (Chromium says so on the probe page). Each wrapper is proved first —
 * `ns` with a shell (its uid, no interface but `lo`), `process` with a Python probe (no IP socket,
 * no signal to this runtime, no leaving the group) — then a probe page is checked in real Chromium.
 */
export async function createBrowserRunner(options: BrowserRunnerOptions = {}): Promise<BrowserRunner> {
  const workRoot = resolve(options.workRoot ?? join(tmpdir(), 'te-browser'));
  await mkdir(workRoot, { recursive: true, mode: 0o711 });
  await chmod(workRoot, 0o711);
  const chromiumPath = options.chromiumPath ?? '/usr/bin/chromium';
  const fontconfigPath = options.fontconfigPath ?? (await bundledFonts(chromiumPath));
  const settings: Settings = {
    chromiumPath,
    ...(fontconfigPath !== undefined ? { fontconfigPath } : {}),
    origin: new URL(options.origin ?? 'https://site.truth-engine.test').origin,
    workRoot,
    limits: {
      dataMb: options.dataMb ?? 1024,
      processes: options.processes ?? 1024,
      fileSizeMb: options.fileSizeMb ?? 64,
      openFiles: options.openFiles ?? 4096,
    },
    jsHeapMb: options.jsHeapMb ?? 512,
    networkIdleMs: options.networkIdleMs ?? 2000,
  };
  const cdn = CdnLibraries.load();
  const isRoot = process.getuid?.() === 0;
  const forced = options.level;

  if (isRoot) {
    if (forced !== undefined && forced !== 'ns')
      throw new SandboxUnavailableError(
        `browser sandbox: the ${forced} level is not for root (its Chromium would run as root); as root only ns contains it`,
      );
    return probed(await namespaceRunner(options, settings, cdn));
  }
  if (forced === 'ns')
    throw new SandboxUnavailableError(
      'browser sandbox: the ns level needs root (namespaces and per-job uids)',
    );
  if (forced === 'process') return probed(await processRunner(options, settings, cdn));

  const own = new PlaywrightBrowserRunner('chromium-sandbox', settings, cdn, {});
  const failure = await probeFailure(own);
  if (failure === null) return own;
  await own.close();
  if (forced === 'chromium-sandbox' || !isSandboxStartFailure(own.lastLaunchError ?? ''))
    throw new SandboxUnavailableError(`browser sandbox: Chromium did not check a probe page (${failure})`);
  // Chromium's sandbox cannot start here (no user namespaces, no setuid helper: AWS Lambda).
  return probed(await processRunner(options, settings, cdn));
}

async function namespaceRunner(
  options: BrowserRunnerOptions,
  settings: Settings,
  cdn: CdnLibraries,
): Promise<PlaywrightBrowserRunner> {
  const tools = await findContainmentTools(options.tools);
  if (typeof tools === 'string')
    throw new SandboxUnavailableError(
      `browser sandbox: ${tools} not found; as root Chromium runs only with --no-sandbox, which is allowed only inside the ns containment`,
    );
  const pool = new UidPool(
    options.uidLockDir ?? DEFAULT_UID_LOCK_DIR,
    options.uidBase ?? 200_000,
    options.uidCount ?? 4096,
  );
  await pool.init();
  const uid = await pool.acquire();
  const seccomp = options.seccomp === false ? undefined : await compileBrowserSeccomp(pythonsOf(options));
  const problem = await probeNamespaceWrapper(
    settings.workRoot,
    tools,
    uid,
    settings.limits,
    seccomp,
  ).finally(() => pool.release(uid));
  if (problem !== null)
    throw new SandboxUnavailableError(`browser sandbox: the ns containment does not hold here (${problem})`);
  return new PlaywrightBrowserRunner('ns', settings, cdn, { tools, pool, ...(seccomp ? { seccomp } : {}) });
}

async function processRunner(
  options: BrowserRunnerOptions,
  settings: Settings,
  cdn: CdnLibraries,
): Promise<PlaywrightBrowserRunner> {
  // Without a network namespace the filter is what keeps the page off loopback (the Lambda
  // Runtime API is there): no filter, no `process` level.
  const pythons = pythonsOf(options);
  const seccomp =
    options.seccomp === false ? undefined : await compileBrowserSeccomp(pythons, await runtimeAncestors());
  if (seccomp === undefined)
    throw new SandboxUnavailableError(
      `browser sandbox: the process level needs the seccomp filter, and no interpreter could compile it (${pythons.join(', ')})`,
    );
  const problem = await probeProcessWrapper(settings.workRoot, seccomp, settings.limits);
  if (problem !== null)
    throw new SandboxUnavailableError(
      `browser sandbox: the process containment does not hold here (${problem})`,
    );
  // The interpreter that compiled the filter is tried first for every job after.
  const ordered = [seccomp.python, ...pythons.filter((p) => p !== seccomp.python)];
  return new PlaywrightBrowserRunner('process', settings, cdn, {
    pythons: ordered,
    nonDumpable: await runtimeIsNonDumpable(),
  });
}

/** The runner, once it has checked the probe page; else it is closed and the reason thrown. */
async function probed(runner: PlaywrightBrowserRunner): Promise<PlaywrightBrowserRunner> {
  const failure = await probeFailure(runner);
  if (failure === null) return runner;
  await runner.close();
  throw new SandboxUnavailableError(
    `browser sandbox: Chromium did not check a probe page at the ${runner.level} level (${failure})`,
  );
}

async function probeFailure(runner: PlaywrightBrowserRunner): Promise<string | null> {
  const probe = await runner.run(PROBE_JOB);
  if (probe.checks[0]?.status === 'passed') return null;
  return `${probe.status}: ${probe.reason ?? probe.checks[0]?.error ?? 'the check failed'}`;
}

function pythonsOf(options: BrowserRunnerOptions): string[] {
  return [...new Set([...(options.pythonPaths ?? []), SYSTEM_PYTHON])];
}

/** The Lambda build of Chromium ships its fonts and their fonts.conf beside the binary. */
async function bundledFonts(chromiumPath: string): Promise<string | undefined> {
  const fonts = join(dirname(chromiumPath), 'fonts');
  try {
    await access(join(fonts, 'fonts.conf'));
    return fonts;
  } catch {
    return undefined;
  }
}

/**
 * Whether this runtime is non-dumpable (the image preloads a library that makes it so): the kernel
 * then gives its /proc entries to root, and a browser of the same uid cannot read its environ.
 */
async function runtimeIsNonDumpable(): Promise<boolean> {
  try {
    return (await stat('/proc/self/environ')).uid !== process.getuid?.();
  } catch {
    return false;
  }
}
