import { spawn } from 'node:child_process';
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
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the boot script wrote on fd 3 (its report), at most 16 KiB. */
  report: string;
  outputLimitHit: boolean;
  backstopFired: boolean;
  spawnError?: string;
  durationMs: number;
  /** Kills the run's process group (again): for when the supervisor did not clean up. */
  killGroup: () => void;
}

const REPORT_CAP = 16_384;

/**
 * Starts the boot script in a process group of its own and collects its output with caps: the
 * group is killed when the output passes its limit or the backstop fires, so nothing the program
 * does can hold the runner.
 */
export async function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const stdout = new OutputCollector(request.keepBytes + 4096, request.keepBytes / 2);
  const stderr = new OutputCollector(request.keepBytes + 4096, request.keepBytes / 2);
  let report = '';
  let outputLimitHit = false;
  let backstopFired = false;
  let spawnError: string | undefined;

  const started = performance.now();
  const child = spawn(request.command.file, request.command.args, {
    cwd: request.cwd,
    env: request.env,
    stdio: [request.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  if (request.stdin !== undefined && child.stdin) {
    // The supervisor reads it all before anything untrusted starts; a run that dies early closes it.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);
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
    if (!outputLimitHit && stdout.total + stderr.total > request.maxOutputBytes) {
      outputLimitHit = true;
      killGroup();
    }
  };
  child.stdout?.on('data', onOutput(stdout));
  child.stderr?.on('data', onOutput(stderr));
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    if (report.length < REPORT_CAP) report += chunk.toString('utf8');
  });
  const backstop = setTimeout(() => {
    backstopFired = true;
    killGroup();
  }, request.backstopMs);

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
  const outcome: ProcessOutcome = {
    exitCode,
    signal,
    stdout: stdout.text(),
    stderr: stderr.text(),
    report,
    outputLimitHit,
    backstopFired,
    durationMs,
    killGroup,
  };
  if (spawnError !== undefined) outcome.spawnError = spawnError;
  return outcome;
}
