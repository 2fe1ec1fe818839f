import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { SandboxPolicy } from '../../domain/sandbox-policy.js';
import type { SandboxJob } from '../../ports/sandbox-runner.js';
import { type ContainmentLevel, launchCommand, usesPrivateDisk } from './containment.js';
import type { Host } from './host-probe.js';
import { encodeGuardConfig, policyArgs } from './policy-args.js';
import type { RunSettings } from './runner-settings.js';
import { bootScript } from './runtime-scripts.js';

/** How one run is started: the command, its environment, and the marker its processes carry. */
export interface Launch {
  command: { file: string; args: string[] };
  env: Record<string, string>;
  /** In every process's environment, so what outlives a run at a shared uid can be found. */
  marker: string;
  /** The interpreter, boot script and its arguments: what the warm interpreter's job process becomes. */
  boot: { python: string; script: string; args: string[] };
}

export interface LaunchInput {
  level: ContainmentLevel;
  host: Host;
  settings: RunSettings;
  policy: SandboxPolicy;
  job: SandboxJob;
  workdir: string;
  /** RLIMIT_NPROC for the run (see the runner's process limit). */
  processLimit: number;
  runUid?: number;
}

export function launchFor(input: LaunchInput): Launch {
  const { level, host, settings: s, job, workdir, runUid } = input;
  const marker = `te-run-${createHash('sha256').update(workdir).digest('hex').slice(0, 16)}`;
  const guard = encodeGuardConfig({
    workdir,
    checked: job.checked.join(','),
    ...policyArgs(input.policy),
  });
  const bootArgs = [
    `level=${level}`,
    `entry=${job.entry}`,
    `timeout_ms=${job.timeoutMs}`,
    `cpu_s=${Math.ceil(job.timeoutMs / 1000) + 1}`,
    `mem_mb=${s.memoryMb}`,
    `fsize_mb=${s.fileSizeMb}`,
    `nofile=${s.openFiles}`,
    `nproc=${input.processLimit}`,
    `syspath=${host.python.sysPath.join(':')}`,
  ];
  if (runUid !== undefined) bootArgs.push(`uid=${runUid}`, `gid=${runUid}`);
  if (level === 'ns' && host.hiddenPaths.length > 0) bootArgs.push(`hide=${host.hiddenPaths.join(':')}`);
  if (usesPrivateDisk(level)) bootArgs.push(`disk_mb=${s.diskMb}`);
  if (job.original !== undefined) bootArgs.push('original=1');
  // Names are plain (validated), so `name:bytes` pairs joined by commas parse back unambiguously.
  if (job.collect && job.collect.length > 0)
    bootArgs.push(`collect=${job.collect.map((file) => `${file.name}:${file.maxBytes}`).join(',')}`);
  if (host.seccomp) bootArgs.push('seccomp=1');
  if (host.seccompProgram !== undefined) bootArgs.push(`seccomp_bpf=${host.seccompProgram}`);
  if (host.seccompBinding) bootArgs.push('seccomp_binding=1');
  const script = bootScript(host.runtimeDir);
  const command = launchCommand(
    level,
    { python: host.python.path, ...(host.unshare ? { unshare: host.unshare } : {}) },
    script,
    bootArgs,
  );
  const boot = { python: host.python.path, script, args: bootArgs };
  return { command, env: sandboxEnv(host, workdir, guard, marker), marker, boot };
}

/**
 * Only what the program needs. Nothing of the runner's environment is passed on: no AWS_*, no
 * keys. PYTHONPATH carries the guard into every Python the program starts.
 */
export function sandboxEnv(
  host: Host,
  workdir: string,
  guard: string,
  marker: string,
): Record<string, string> {
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
