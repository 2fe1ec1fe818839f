import { DEFAULT_POLICIES, type ProblemKind, type SandboxPolicy } from '../../domain/sandbox-policy.js';
import { type RunResult, sandboxCrash } from '../../domain/types.js';
import type { SandboxCapabilities, SandboxJob, SandboxRunner } from '../../ports/sandbox-runner.js';
import {
  type ContainmentLevel,
  LEVELS_STRONGEST_FIRST,
  levelFits,
  usesRunUid,
  usesUnshare,
  usesWarmInterpreter,
} from './containment.js';
import { SandboxUnavailableError } from './errors.js';
import { ForkServer } from './fork-server.js';
import { type Host, measuredLayers, probeHost } from './host-probe.js';
import { validateJob } from './job-validation.js';
import { launchFor, sandboxEnv } from './launch-config.js';
import { tasksOfUid } from './proc-scan.js';
import { cleanUpRun, killLeftovers, snapshotBeforeRun } from './run-cleanup.js';
import { runForked } from './run-forked.js';
import { REPORT_CAP, runProcess } from './run-process.js';
import { runResult } from './run-result.js';
import { type LocalSandboxRunnerOptions, type RunSettings, resolveSettings } from './runner-settings.js';
import { SELF_TEST_JOB, selfTestProblem } from './self-test.js';
import { DEFAULT_UID_LOCK_DIR, UidPool } from './uid-pool.js';
import { parseBootReport, parseCollected } from './verdict.js';
import { makeWorkDir, writeFiles } from './work-dir.js';

export type { LocalSandboxRunnerOptions } from './runner-settings.js';

/**
 * Creates the local sandbox runner: resolves the interpreter, prepares the boot scripts, and probes
 * the containment levels once (a real run of a tiny program at each until one works).
 */
export async function createLocalSandboxRunner(
  options: LocalSandboxRunnerOptions = {},
): Promise<SandboxRunner> {
  const host = await probeHost(options);
  const settings = resolveSettings(options);
  const policies: Record<ProblemKind, SandboxPolicy> = { ...DEFAULT_POLICIES, ...options.policies };
  const defaultKind = options.defaultKind ?? 'fix';

  const candidates = options.level !== undefined ? [options.level] : LEVELS_STRONGEST_FIRST;
  const failures: string[] = [];
  for (const level of candidates) {
    if (!levelFits(level, host.isRoot)) {
      failures.push(`${level}: needs ${host.isRoot ? 'a non-root user' : 'root'}`);
      continue;
    }
    if (usesUnshare(level) && host.unshare === undefined) {
      failures.push(`${level}: unshare not found`);
      continue;
    }
    if (usesRunUid(level)) {
      const pool = new UidPool(
        options.uidLockDir ?? DEFAULT_UID_LOCK_DIR,
        options.uidBase ?? 200_000,
        options.uidCount ?? 4096,
      );
      await pool.init();
      host.uidPool = pool;
    } else {
      // A stronger level tried first left its pool: runs at this one keep the runner's uid.
      delete host.uidPool;
    }
    // Warm where the level allows it; if the warm path fails its self-test, runs start fresh.
    const starts: Array<ForkServer | undefined> =
      options.warm !== false && usesWarmInterpreter(level) ? [warmServer(host), undefined] : [undefined];
    for (const server of starts) {
      const runner = new LocalSandboxRunner(level, host, settings, policies, defaultKind, server);
      const problem = selfTestProblem(await runner.run(SELF_TEST_JOB), level, host.seccomp);
      if (problem === null) return runner;
      server?.close();
      failures.push(`${level}${server ? ' (warm)' : ''}: ${problem}`);
    }
  }
  if (options.level !== undefined)
    throw new SandboxUnavailableError(
      `containment level ${options.level} cannot be provided here (${failures.join('; ')})`,
    );
  throw new SandboxUnavailableError(`no containment level works here (${failures.join('; ')})`);
}

function warmServer(host: Host): ForkServer {
  return new ForkServer(host.python.path, host.runtimeDir, sandboxEnv(host, '/', '', ''));
}

/** One run: validate, a fresh work dir, the boot script under the level's containment, then cleanup. */
class LocalSandboxRunner implements SandboxRunner {
  private readonly layers: readonly string[];
  /** Work dirs of the runs in progress: never swept by another run's sweep. */
  private readonly active = new Set<string>();

  constructor(
    private readonly level: ContainmentLevel,
    private readonly host: Host,
    private readonly settings: RunSettings,
    private readonly policies: Record<ProblemKind, SandboxPolicy>,
    private readonly defaultKind: ProblemKind,
    /** The warm interpreter runs start from; without it each run spawns a fresh one. */
    private readonly warm?: ForkServer,
  ) {
    this.layers = [...measuredLayers(level, host), warm ? 'warm-interpreter' : 'fresh-interpreter'];
  }

  capabilities(): SandboxCapabilities {
    return { level: this.level, layers: [...this.layers], interpreter: this.host.python.path };
  }

  async run(job: SandboxJob): Promise<RunResult> {
    validateJob(job);
    const runUid = this.host.uidPool ? await this.host.uidPool.acquire() : undefined;
    const started = Date.now();
    const before = await snapshotBeforeRun(this.level, this.host);
    let workdir: string | undefined;
    let clean = false;
    try {
      workdir = await makeWorkDir(this.host.workRoot);
      this.active.add(workdir);
      await writeFiles(workdir, job.files, runUid);
      const ran = await this.execute(job, workdir, runUid);
      clean = ran.clean;
      return ran.result;
    } catch (error) {
      return sandboxCrash(`sandbox failed to prepare the run: ${(error as Error).message}`);
    } finally {
      await cleanUpRun({
        level: this.level,
        host: this.host,
        clean,
        started,
        active: this.active,
        ...(runUid !== undefined ? { runUid } : {}),
        ...(workdir !== undefined ? { workdir } : {}),
        ...(before !== undefined ? { before } : {}),
      });
      if (runUid !== undefined) await this.host.uidPool?.release(runUid);
    }
  }

  private async execute(
    job: SandboxJob,
    workdir: string,
    runUid?: number,
  ): Promise<{ result: RunResult; clean: boolean }> {
    const launch = launchFor({
      level: this.level,
      host: this.host,
      settings: this.settings,
      policy: this.policies[job.kind ?? this.defaultKind],
      job,
      workdir,
      processLimit: await this.processLimit(runUid),
      ...(runUid !== undefined ? { runUid } : {}),
    });
    const collect = {
      ...(job.original !== undefined ? { stdin: job.original } : {}),
      backstopMs: job.timeoutMs + this.settings.backstopGraceMs,
      maxOutputBytes: this.settings.maxOutputBytes,
      keepBytes: this.settings.logOutputBytes,
      // Collected files come back base64-encoded on the report.
      ...(job.collect
        ? {
            reportBytes:
              REPORT_CAP + job.collect.reduce((sum, file) => sum + Math.ceil(file.maxBytes / 3) * 4 + 300, 0),
          }
        : {}),
    };
    const ran = this.warm
      ? await runForked(
          this.warm,
          {
            cwd: workdir,
            env: launch.env,
            python: launch.boot.python,
            bootScript: launch.boot.script,
            bootArgs: launch.boot.args,
          },
          collect,
        )
      : await runProcess({ command: launch.command, cwd: workdir, env: launch.env, ...collect });
    const report = parseBootReport(ran.report);
    const clean = report !== null && !ran.backstopFired && !ran.outputLimitHit;
    if (!clean) await killLeftovers(ran.killGroup, runUid, launch.marker);
    const containment = { level: this.level, layers: [...this.layers] };
    const result = runResult(ran, report, job.timeoutMs, this.settings, containment);
    // Only a run that ran to its end left its output finished; a killed one left it half written.
    if (!job.collect || result.status !== 'passed') return { result, clean };
    return { result: { ...result, ...parseCollected(ran.report) }, clean };
  }

  /** RLIMIT_NPROC counts every thread of the uid: a fresh run uid starts at zero, a shared one does not. */
  private async processLimit(runUid?: number): Promise<number> {
    if (runUid !== undefined) return this.settings.processes;
    return (await tasksOfUid(this.host.uid)) + this.settings.processes;
  }
}
