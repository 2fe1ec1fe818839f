import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type {
  BrowserCapabilities,
  BrowserJob,
  BrowserRunner,
  BrowserRunResult,
  CheckOutcome,
} from '../../../ports/browser-runner.js';
import { InvalidSandboxJobError, SandboxUnavailableError } from '../errors.js';
import { sweepFilesOfUid } from '../proc-scan.js';
import { UidPool } from '../uid-pool.js';
import {
  BROWSER_LEVEL_LAYERS,
  type BrowserContainmentLevel,
  type BrowserLimits,
  type BrowserSeccomp,
  type ContainmentTools,
  compileBrowserSeccomp,
  findContainmentTools,
  probeNamespaceWrapper,
  writeWrapper,
} from './browser-containment.js';
import { CdnLibraries } from './cdn-libraries.js';
import { checkExpression, errorOutcome, notRunOutcome, outcomeOf } from './check-expression.js';
import { JobAttempt } from './job-attempt.js';
import { JobRecord } from './job-record.js';
import { createRequestHandler, createWebSocketHandler } from './request-handler.js';
import { SiteFiles } from './site-files.js';

export interface BrowserRunnerOptions {
  /** @default /usr/bin/chromium */
  chromiumPath?: string;
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
  /** Processes and threads of the job's uid. @default 1024 */
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
   * @default true
   */
  seccomp?: boolean;
}

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

const PROBE_JOB: BrowserJob = {
  files: [{ path: 'index.html', content: Buffer.from('<!DOCTYPE html><title>probe</title><p>probe</p>') }],
  checks: [{ id: 'title', js: 'document.title === "probe"' }],
  timeoutMs: 30_000,
};

interface Settings {
  chromiumPath: string;
  origin: string;
  workRoot: string;
  limits: BrowserLimits;
  jsHeapMb: number;
  networkIdleMs: number;
}

/**
 * Creates the browser runner: picks the containment (`ns` when root — and refuses to run at all
 * when root cannot contain Chromium — else Chromium's own sandbox), proves the `ns` wrapper with a
 * shell (its uid, no network interface but `lo`), then checks a probe page in a real Chromium.
 */
export async function createBrowserRunner(options: BrowserRunnerOptions = {}): Promise<BrowserRunner> {
  const workRoot = resolve(options.workRoot ?? join(tmpdir(), 'te-browser'));
  await mkdir(workRoot, { recursive: true, mode: 0o711 });
  await chmod(workRoot, 0o711);
  const settings: Settings = {
    chromiumPath: options.chromiumPath ?? '/usr/bin/chromium',
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

  let runner: PlaywrightBrowserRunner;
  if (process.getuid?.() === 0) {
    const tools = await findContainmentTools(options.tools);
    if (typeof tools === 'string')
      throw new SandboxUnavailableError(
        `browser sandbox: ${tools} not found; as root Chromium runs only with --no-sandbox, which is allowed only inside the ns containment`,
      );
    const pool = new UidPool(
      options.uidLockDir ?? join(tmpdir(), 'te-sandbox', 'uids'),
      options.uidBase ?? 200_000,
      options.uidCount ?? 4096,
    );
    await pool.init();
    const uid = await pool.acquire();
    const seccomp = options.seccomp === false ? undefined : await compileBrowserSeccomp();
    const problem = await probeNamespaceWrapper(workRoot, tools, uid, settings.limits, seccomp).finally(() =>
      pool.release(uid),
    );
    if (problem !== null)
      throw new SandboxUnavailableError(
        `browser sandbox: the ns containment does not hold here (${problem})`,
      );
    runner = new PlaywrightBrowserRunner('ns', settings, CdnLibraries.load(), {
      tools,
      pool,
      ...(seccomp ? { seccomp } : {}),
    });
  } else {
    runner = new PlaywrightBrowserRunner('chromium-sandbox', settings, CdnLibraries.load(), {});
  }
  const probe = await runner.run(PROBE_JOB);
  if (probe.checks[0]?.status !== 'passed') {
    await runner.close();
    throw new SandboxUnavailableError(
      `browser sandbox: Chromium did not check a probe page (${probe.status}: ${probe.reason ?? probe.checks[0]?.error ?? 'the check failed'})`,
    );
  }
  return runner;
}

class PlaywrightBrowserRunner implements BrowserRunner {
  private readonly active = new Set<JobAttempt>();
  private closed = false;
  private browserVersion = 'unknown version';

  constructor(
    private readonly level: BrowserContainmentLevel,
    private readonly settings: Settings,
    private readonly cdn: CdnLibraries,
    private readonly host: { tools?: ContainmentTools; pool?: UidPool; seccomp?: BrowserSeccomp },
  ) {}

  capabilities(): BrowserCapabilities {
    return {
      level: this.level,
      layers: [
        ...BROWSER_LEVEL_LAYERS[this.level],
        ...(this.level === 'ns' ? [this.host.seccomp ? 'seccomp' : 'seccomp-unavailable'] : []),
      ],
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
    let dir: string | undefined;
    let attempt: JobAttempt | undefined;
    try {
      dir = await mkdtemp(join(this.settings.workRoot, 'job-'));
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
        ...(uid !== undefined ? { uid, limits: this.settings.limits } : {}),
        ...(this.host.seccomp ? { seccomp: this.host.seccomp } : {}),
      });
      attempt = new JobAttempt(pidFile, uid);
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
      if (dir !== undefined)
        await rm(dir, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined);
      if (uid !== undefined) await this.host.pool?.release(uid);
    }
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
          args: [...CHROMIUM_ARGS, `--js-flags=--max-old-space-size=${this.settings.jsHeapMb}`],
          chromiumSandbox: this.level !== 'ns',
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
