import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { OutputCollector } from './output-collector.js';

export interface ProcessRequest {
  command: { file: string; args: string[] };
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin and closed; without it stdin is closed from the start. */
  stdin?: string;
  /** When the runner kills the whole group itself, if the boot script has not ended the run. */
  backstopMs: number;
  /** Both streams together past this end the run. */
  maxOutputBytes: number;
  /** What each stream keeps (its ends, see OutputCollector). */
  keepBytes: number;
  /** The report's cap: larger when the supervisor hands back collected files on it. */
  reportBytes?: number;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the boot script wrote on fd 3 (its report), at most `reportBytes` (16 KiB by default). */
  report: string;
  outputLimitHit: boolean;
  backstopFired: boolean;
  spawnError?: string;
  /** The warm interpreter ended during the run: no status came for it. */
  lost?: string;
  durationMs: number;
  /** Kills the run's process group (again): for when the supervisor did not clean up. */
  killGroup: () => void;
}

export const REPORT_CAP = 16_384;

/** A run's process as the collector sees it, spawned or forked by the warm interpreter. */
export interface RunStreams {
  stdin?: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  report: Readable | null;
  /** Resolves once the outermost process has ended and its streams have closed. */
  ended: Promise<RunEnd>;
  /** Kills the run's process group (its own session, so nothing else). */
  killGroup: () => void;
}

export interface RunEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: string;
  lost?: string;
}

/**
 * Starts the boot script in a process group of its own and collects its output with caps: the
 * group is killed when the output passes its limit or the backstop fires, so nothing the program
 * does can hold the runner.
 */
export function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const started = performance.now();
  const child = spawn(request.command.file, request.command.args, {
    cwd: request.cwd,
    env: request.env,
    stdio: [request.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const ended = new Promise<RunEnd>((done) => {
    child.once('error', (error) => done({ exitCode: null, signal: null, spawnError: error.message }));
    child.once('close', (code, sig) => done({ exitCode: code, signal: sig }));
  });
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  };
  const streams: RunStreams = {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    report: (child.stdio[3] as Readable | null | undefined) ?? null,
    ended,
    killGroup,
  };
  return collectRun(request, streams, started);
}

/** Feeds stdin, collects the streams under their caps and the backstop, and waits for the end. */
export async function collectRun(
  request: Omit<ProcessRequest, 'command' | 'cwd' | 'env'>,
  run: RunStreams,
  started: number,
): Promise<ProcessOutcome> {
  const stdout = new OutputCollector(request.keepBytes + 4096, request.keepBytes / 2);
  const stderr = new OutputCollector(request.keepBytes + 4096, request.keepBytes / 2);
  const reportChunks: Buffer[] = [];
  const reportCap = request.reportBytes ?? REPORT_CAP;
  let reportBytes = 0;
  let outputLimitHit = false;
  let backstopFired = false;

  if (request.stdin !== undefined && run.stdin) {
    // The supervisor reads it all before anything untrusted starts; a run that dies early closes it.
    run.stdin.on('error', () => undefined);
    run.stdin.end(request.stdin);
  }
  const onOutput = (collector: OutputCollector) => (chunk: Buffer) => {
    collector.push(chunk);
    if (!outputLimitHit && stdout.total + stderr.total > request.maxOutputBytes) {
      outputLimitHit = true;
      run.killGroup();
    }
  };
  run.stdout?.on('data', onOutput(stdout));
  run.stderr?.on('data', onOutput(stderr));
  run.report?.on('data', (chunk: Buffer) => {
    if (reportBytes >= reportCap) return;
    const kept = chunk.subarray(0, reportCap - reportBytes);
    reportChunks.push(kept);
    reportBytes += kept.length;
  });
  const backstop = setTimeout(() => {
    backstopFired = true;
    run.killGroup();
  }, request.backstopMs);

  const end = await run.ended;
  const durationMs = performance.now() - started;
  clearTimeout(backstop);
  const outcome: ProcessOutcome = {
    exitCode: end.exitCode,
    signal: end.signal,
    stdout: stdout.text(),
    stderr: stderr.text(),
    report: Buffer.concat(reportChunks).toString('utf8'),
    outputLimitHit,
    backstopFired,
    durationMs,
    killGroup: run.killGroup,
  };
  if (end.spawnError !== undefined) outcome.spawnError = end.spawnError;
  if (end.lost !== undefined) outcome.lost = end.lost;
  return outcome;
}
