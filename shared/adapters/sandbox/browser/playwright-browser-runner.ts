import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type {
  BrowserCapabilities,
  BrowserJob,
  BrowserRunner,
  BrowserRunResult,
  CheckOutcome,
} from '../../../ports/browser-runner.js';
import { InvalidSandboxJobError, SandboxUnavailableError } from '../errors.js';
import {
  type OwnedSnapshot,
  SHARED_UID_SWEEP_DIRS,
  snapshotOwned,
  sweepFilesOfUid,
  sweepNewOwned,
} from '../proc-scan.js';
import type { UidPool } from '../uid-pool.js';
import {
  BROWSER_LEVEL_LAYERS,
  type BrowserContainmentLevel,
  type BrowserLimits,
  type ContainmentTools,
  writeWrapper,
} from './browser-containment.js';
import { type BrowserSeccomp, compileBrowserSeccomp, runtimeAncestors } from './browser-seccomp.js';
import type { CdnLibraries } from './cdn-libraries.js';
import { checkExpression, errorOutcome, notRunOutcome, outcomeOf } from './check-expression.js';
import { JobAttempt } from './job-attempt.js';
import { JobRecord } from './job-record.js';
import { createRequestHandler, createWebSocketHandler } from './request-handler.js';
import { SiteFiles } from './site-files.js';

const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-gpu',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-extensions',
];

/**
 * At `process` no network namespace stands behind request interception, and WebRTC's ICE traffic
 * is not a request it sees: WebRTC may then use no UDP but through a proxy, and none is set (the
 * seccomp filter refuses its sockets anyway). There is no /dev/shm in Lambda: shared memory goes to
 * TMPDIR, the job's own dir.
 */
const PROCESS_LEVEL_ARGS = [
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--disable-dev-shm-usage',
];

/**
 * Playwright's `serviceWorkers: 'block'` only makes requests bypass workers; registration itself
 * still succeeds. This runs first in every frame and makes it fail, as a browser that forbids
 * service workers does.
 */
const NO_SERVICE_WORKERS = `(() => {
  const container = globalThis.ServiceWorkerContainer;
  if (!container) return;
  Object.defineProperty(container.prototype, 'register', {
    configurable: false,
    writable: false,
    value: function register() {
      return Promise.reject(new DOMException('service workers are blocked in the sandbox', 'SecurityError'));
    },
  });
})();`;

export interface Settings {
  chromiumPath: string;
  fontconfigPath?: string;
  origin: string;
  workRoot: string;
  limits: BrowserLimits;
  jsHeapMb: number;
  networkIdleMs: number;
}

/** What the host gives the runner: at `ns` its tools, uids and filter; at `process` its filter's interpreters. */
export interface RunnerHost {
  tools?: ContainmentTools;
  pool?: UidPool;
  /** The filter every job starts under (`ns`); at `process` it is compiled per job, naming the ancestors. */
  seccomp?: BrowserSeccomp;
  /** `process`: the interpreters that compile the filter (the one that did at start first). */
  pythons?: readonly string[];
  /** `process`: whether this runtime's /proc entries are closed to its own uid (the image's preload). */
  nonDumpable?: boolean;
}

export class PlaywrightBrowserRunner implements BrowserRunner {
  private readonly active = new Set<JobAttempt>();
  /** The job dirs of jobs still running, which the shared-uid sweep leaves alone. */
  private readonly activeDirs = new Set<string>();
  private closed = false;
  private browserVersion = 'unknown version';
  /** The last launch failure in full (Chromium's log included): how the probe tells why it failed. */
  lastLaunchError: string | undefined;

  constructor(
    readonly level: BrowserContainmentLevel,
    private readonly settings: Settings,
    private readonly cdn: CdnLibraries,
    private readonly host: RunnerHost,
  ) {}

  capabilities(): BrowserCapabilities {
    const measured =
      this.level === 'ns'
        ? [this.host.seccomp ? 'seccomp' : 'seccomp-unavailable']
        : this.level === 'process'
          ? ['seccomp', this.host.nonDumpable ? 'runtime-non-dumpable' : 'runtime-environ-readable']
          : [];
    return {
      level: this.level,
      layers: [...BROWSER_LEVEL_LAYERS[this.level], ...measured],
      browser: `${this.settings.chromiumPath} (Chromium ${this.browserVersion}; CDN: ${this.cdn.list().join(', ')})`,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.active].map((attempt) => attempt.killTree()));
  }

  async run(job: BrowserJob): Promise<BrowserRunResult> {
    if (this.closed) throw new SandboxUnavailableError('the browser runner is closed');
    validateJob(job);
    const site = new SiteFiles(job.files);
    const started = performance.now();
    const uid = this.host.pool ? await this.host.pool.acquire() : undefined;
    const shared = this.level === 'process';
    const before: OwnedSnapshot | undefined = shared
      ? await snapshotOwned(process.getuid?.() ?? 0, SHARED_UID_SWEEP_DIRS)
      : undefined;
    const sweepSince = Date.now();
    let dir: string | undefined;
    let attempt: JobAttempt | undefined;
    try {
      const seccomp = shared ? await this.processSeccomp() : this.host.seccomp;
      dir = await mkdtemp(join(this.settings.workRoot, 'job-'));
      this.activeDirs.add(dir);
      await chmod(dir, 0o711);
      const home = join(dir, 'home');
      const profile = join(home, 'profile');
      await mkdir(profile, { recursive: true, mode: 0o700 });
      await chmod(home, 0o700);
      if (uid !== undefined) await Promise.all([chown(home, uid, uid), chown(profile, uid, uid)]);
      const pidFile = join(dir, 'pid');
      const wrapper = join(dir, 'chromium.sh');
      await writeWrapper(wrapper, {
        level: this.level,
        program: this.settings.chromiumPath,
        pidFile,
        home,
        ...(this.host.tools ? { tools: this.host.tools } : {}),
        ...(uid !== undefined || shared ? { limits: this.settings.limits } : {}),
        ...(uid !== undefined ? { uid } : {}),
        ...(seccomp ? { seccomp } : {}),
        ...(this.settings.fontconfigPath ? { fontconfigPath: this.settings.fontconfigPath } : {}),
      });
      attempt = new JobAttempt(pidFile, uid, shared ? dir : undefined);
      this.active.add(attempt);
      return await this.drive(job, site, attempt, wrapper, profile, started);
    } catch (error) {
      return {
        ...emptyResult(job, 'crashed', started),
        crashedBy: 'sandbox',
        reason: `the browser sandbox failed to prepare the job: ${(error as Error).message}`,
      };
    } finally {
      if (attempt !== undefined) {
        await attempt.killTree();
        this.active.delete(attempt);
      }
      if (uid !== undefined) await sweepFilesOfUid(uid).catch(() => undefined);
      if (dir !== undefined) {
        await rm(dir, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined);
        this.activeDirs.delete(dir);
      }
      // The browser shared this runtime's uid: what that uid made meanwhile in /tmp & co. goes too.
      if (before !== undefined)
        await sweepNewOwned(process.getuid?.() ?? 0, before, sweepSince, this.keptPaths()).catch(
          () => undefined,
        );
      if (uid !== undefined) await this.host.pool?.release(uid);
    }
  }

  /** The filter for one job at `process`: it names this runtime's threads as they are now. */
  private async processSeccomp(): Promise<BrowserSeccomp> {
    const seccomp = await compileBrowserSeccomp(this.host.pythons, await runtimeAncestors());
    if (seccomp === undefined) throw new Error('the seccomp filter could not be compiled for this job');
    return seccomp;
  }

  /** The sweep never touches the work root (it holds every job's dir) nor a running job's dir. */
  private keptPaths(): Set<string> {
    return new Set([this.settings.workRoot, ...this.activeDirs]);
  }

  /** Starts the browser, loads the entry, evaluates each check once, in order, within the wall clock. */
  private async drive(
    job: BrowserJob,
    site: SiteFiles,
    attempt: JobAttempt,
    wrapper: string,
    profile: string,
    started: number,
  ): Promise<BrowserRunResult> {
    const record = new JobRecord();
    const outcomes: CheckOutcome[] = [];
    const remaining = () => Math.max(1, job.timeoutMs - (performance.now() - started));
    const deadline = setTimeout(
      () => attempt.stop('timeout', `the job passed its wall clock of ${job.timeoutMs} ms`),
      remaining(),
    );
    let context: BrowserContext | undefined;
    let problem: string | undefined;
    try {
      context = await attempt.guard(
        chromium.launchPersistentContext(profile, {
          executablePath: wrapper,
          headless: true,
          args: [
            ...CHROMIUM_ARGS,
            ...(this.level === 'process' ? PROCESS_LEVEL_ARGS : []),
            `--js-flags=--max-old-space-size=${this.settings.jsHeapMb}`,
          ],
          // Only Chromium's own level keeps its sandbox; the others contain it from outside.
          chromiumSandbox: this.level === 'chromium-sandbox',
          env: { PATH: '/usr/bin:/bin' },
          timeout: remaining(),
          serviceWorkers: 'block',
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
        }),
      );
      this.browserVersion = context.browser()?.version() ?? this.browserVersion;
      const opened = context;
      opened.on('close', () => {
        if (!attempt.closing) attempt.stop('crashed', 'the browser exited during the job (out of memory?)');
      });
      await attempt.guard(
        opened.route('**/*', createRequestHandler(this.settings.origin, site, this.cdn, record)),
      );
      await attempt.guard(opened.routeWebSocket(() => true, createWebSocketHandler(record)));
      await attempt.guard(opened.addInitScript({ content: NO_SERVICE_WORKERS }));
      const watched = new WeakSet<Page>();
      const watch = (page: Page) => {
        if (watched.has(page)) return;
        watched.add(page);
        page.on('console', (message) => {
          if (message.type() === 'error') record.consoleErrors.push(message.text());
        });
        page.on('pageerror', (error) => record.pageErrors.push(error.message));
        page.on('crash', () =>
          attempt.stop('crashed', 'the page crashed (out of memory, or a renderer fault)'),
        );
      };
      opened.on('page', watch);
      const page = opened.pages()[0] ?? (await attempt.guard(opened.newPage()));
      watch(page);
      problem = await this.load(page, job, attempt, remaining);
      for (const check of job.checks) {
        try {
          outcomes.push(outcomeOf(check, await attempt.guard(page.evaluate(checkExpression(check.js)))));
        } catch (error) {
          if (attempt.isFatal(error)) break;
          outcomes.push(errorOutcome(check, error));
        }
      }
    } catch (error) {
      if (context === undefined)
        this.lastLaunchError = error instanceof Error ? error.message : String(error);
      if (!attempt.isFatal(error)) problem = `the browser failed: ${firstLine(error)}`;
    } finally {
      clearTimeout(deadline);
      if (context !== undefined) {
        // The profile is thrown away: killing the tree is enough, and quicker than a graceful close.
        attempt.closing = true;
        await attempt.killTree();
        await Promise.race([context.close().catch(() => undefined), delay(3000)]);
      }
    }

    const stopped = attempt.stopKind;
    const launched = context !== undefined;
    const status = stopped ?? (launched ? 'ran' : 'crashed');
    const why = attempt.stopReason ?? problem;
    const notRun = `not run: ${why ?? 'the job ended first'}`;
    const result: BrowserRunResult = {
      status,
      checks: job.checks.map((check, i) => outcomes[i] ?? notRunOutcome(check, notRun)),
      consoleErrors: record.consoleErrors.toArray(),
      pageErrors: record.pageErrors.toArray(),
      failedRequests: record.failedRequests.toArray(),
      refusedRequests: record.refusedRequests.toArray(),
      cdnSubstitutions: record.cdnSubstitutions.toArray(),
      durationMs: Math.round(performance.now() - started),
    };
    // Once the browser is up, only the page can bring it down (its memory, a renderer fault); before
    // that, nothing of the site has run, so a crash is the sandbox's.
    if (status === 'crashed') result.crashedBy = launched ? 'program' : 'sandbox';
    if (why !== undefined) result.reason = why;
    return result;
  }

  /** `load`, then network idle (bounded); null when the page loaded, else what went wrong. */
  private async load(
    page: Page,
    job: BrowserJob,
    attempt: JobAttempt,
    remaining: () => number,
  ): Promise<string | undefined> {
    const url = new URL(job.entry ?? 'index.html', `${this.settings.origin}/`).href;
    try {
      await attempt.guard(page.goto(url, { waitUntil: 'load', timeout: remaining() }));
    } catch (error) {
      if (attempt.isFatal(error)) throw error;
      return `the page did not finish loading: ${firstLine(error)}`;
    }
    await attempt.guard(
      page
        .waitForLoadState('networkidle', { timeout: Math.min(this.settings.networkIdleMs, remaining()) })
        .catch(() => undefined),
    );
    return undefined;
  }
}

function validateJob(job: BrowserJob): void {
  if (!(Number.isFinite(job.timeoutMs) && job.timeoutMs > 0))
    throw new InvalidSandboxJobError('timeoutMs must be a positive number');
  const ids = new Set<string>();
  for (const check of job.checks) {
    if (ids.has(check.id))
      throw new InvalidSandboxJobError(`check id ${JSON.stringify(check.id)} is given twice`);
    ids.add(check.id);
  }
  const entry = job.entry ?? 'index.html';
  if (entry.startsWith('/') || entry.split('/').includes('..') || /[\0\\?#]/.test(entry))
    throw new InvalidSandboxJobError(`entry ${JSON.stringify(entry)} is not a plain relative path`);
}

function emptyResult(job: BrowserJob, status: BrowserRunResult['status'], started: number): BrowserRunResult {
  return {
    status,
    checks: job.checks.map((check) => notRunOutcome(check, 'not run: the job did not start')),
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    refusedRequests: [],
    cdnSubstitutions: [],
    durationMs: Math.round(performance.now() - started),
  };
}

function firstLine(error: unknown): string {
  return ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').slice(0, 500);
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}
