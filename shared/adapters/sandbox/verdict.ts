import { constants } from 'node:os';
import type { CrashCause, Verdict } from '../../domain/types.js';

/**
 * How the boot script says a run ended, on its report pipe (one tab-separated line). An `exit`
 * carries whether the harness completed: the entry ran to its end, or a SystemExit(0) came with no
 * checked code on the way (the checked entry's own, for a program that is its own harness).
 */
export type BootReport =
  | { kind: 'exit'; code: number; completed: boolean }
  | { kind: 'signal'; signal: number }
  | { kind: 'timeout' }
  | { kind: 'memory' }
  | { kind: 'blocked'; rule: string; file: string; line: number; detail: string }
  | { kind: 'error'; message: string };

/** Parses the report; anything unrecognised is null (the run is then judged from what the OS saw). */
export function parseBootReport(text: string): BootReport | null {
  const line = text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('allowed\t'));
  if (line === undefined) return null;
  const [kind = '', ...rest] = line.split('\t');
  switch (kind) {
    case 'exit': {
      const code = toInt(rest[0]);
      return code === null ? null : { kind, code, completed: rest[1] === '1' };
    }
    case 'signal': {
      const signal = toInt(rest[0]);
      return signal === null ? null : { kind, signal };
    }
    case 'timeout':
    case 'memory':
      return { kind };
    case 'blocked':
      return {
        kind,
        rule: rest[0] ?? 'policy',
        file: rest[1] ?? '?',
        line: toInt(rest[2]) ?? 0,
        detail: rest.slice(3).join(' '),
      };
    case 'error':
      return { kind, message: rest.join(' ') };
    default:
      return null;
  }
}

/**
 * The `allowed` lines that come before the ending: constructs the policy let through because the
 * client's original program uses them (e.g. `eval (call): present in the original`).
 */
export function parseAllowed(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('allowed\t'))
    .map((l) => l.slice('allowed\t'.length).trim())
    .filter((l) => l !== '');
}

function toInt(text: string | undefined): number | null {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : null;
}

export interface RunEnding {
  report: BootReport | null;
  /** The runner's own wall-clock backstop fired (the boot script did not end the run in time). */
  backstopFired: boolean;
  /** The program printed more than the runner keeps draining. */
  outputLimitHit: boolean;
  /** The sandbox process could not be started at all. */
  spawnError?: string;
  /** The warm interpreter ended during the run, so the OS status of the run never came. */
  lost?: string;
  /** What the OS reported for the outermost sandbox process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timeoutMs: number;
  memoryMb: number;
  outputLimitBytes: number;
}

export interface Outcome {
  status: Verdict;
  exitCode: number | null;
  reason?: string;
  /** For a crash: whether the program brought it on (a limit, a signal) or the sandbox failed. */
  crashedBy?: CrashCause;
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

const SIGNAL_CAUSES: Record<string, string> = {
  SIGXCPU: 'CPU time limit',
  SIGXFSZ: 'file size limit',
  SIGKILL: 'killed (a hard limit or the supervisor)',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
};

export function signalName(signal: number): string {
  return SIGNAL_NAMES.get(signal) ?? `signal ${signal}`;
}

/** Why a run that exited 0 is not a pass. */
export const NOT_COMPLETED_REASON =
  'the program ended the process before the harness finished (exit status 0 without completion)';

/**
 * The verdict rules, in order: could not start, output flood, policy, deadline, limits, exit status.
 * `passed` needs exit status 0 *and* the boot's record that the harness completed: status 0 alone
 * is what a candidate gets by ending the process early (`sys.exit(0)` at import, `os._exit(0)` from
 * a thread, an atexit hook or a signal handler).
 */
export function toOutcome(ending: RunEnding): Outcome {
  const { report } = ending;
  if (ending.spawnError !== undefined) {
    return {
      status: 'crashed',
      exitCode: null,
      crashedBy: 'sandbox',
      reason: `sandbox failed to start: ${ending.spawnError}`,
    };
  }
  if (ending.outputLimitHit) {
    return {
      status: 'crashed',
      exitCode: null,
      crashedBy: 'program',
      reason: `output limit exceeded (more than ${ending.outputLimitBytes} bytes)`,
    };
  }
  if (report?.kind === 'blocked') {
    return {
      status: 'blocked',
      exitCode: null,
      reason: `policy ${report.rule} at ${report.file}:${report.line}: ${report.detail}`,
    };
  }
  if (report?.kind === 'timeout' || (ending.backstopFired && report === null)) {
    return {
      status: 'timeout',
      exitCode: null,
      reason: `wall-clock limit of ${ending.timeoutMs} ms reached`,
    };
  }
  switch (report?.kind) {
    case 'memory':
      return {
        status: 'crashed',
        exitCode: null,
        crashedBy: 'program',
        reason: `memory limit (${ending.memoryMb} MiB) reached`,
      };
    case 'signal': {
      const name = signalName(report.signal);
      const cause = SIGNAL_CAUSES[name];
      return {
        status: 'crashed',
        exitCode: null,
        crashedBy: 'program',
        reason: cause ? `${name}: ${cause}` : `killed by ${name}`,
      };
    }
    case 'error':
      return {
        status: 'crashed',
        exitCode: null,
        crashedBy: 'sandbox',
        reason: `sandbox error: ${report.message}`,
      };
    case 'exit':
      if (report.code !== 0)
        return { status: 'failed', exitCode: report.code, reason: `exit status ${report.code}` };
      return report.completed
        ? { status: 'passed', exitCode: 0 }
        : { status: 'failed', exitCode: 0, reason: NOT_COMPLETED_REASON };
    default: {
      const how =
        ending.lost ??
        (ending.signal !== null ? `signal ${ending.signal}` : `exit status ${ending.exitCode}`);
      return {
        status: 'crashed',
        exitCode: null,
        crashedBy: 'sandbox',
        reason: `sandbox ended without a report (${how})`,
      };
    }
  }
}

/**
 * The files the supervisor handed back (`collect` lines, base64) and the ones it could not
 * (`collect-error` lines, with why); both come after the ending, so parseBootReport never sees them.
 */
export function parseCollected(text: string): {
  collected: Record<string, string>;
  collectErrors?: string[];
} {
  const collected: Record<string, string> = {};
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    const [kind, name = '', value = ''] = line.split('\t');
    if (kind === 'collect') collected[name] = Buffer.from(value, 'base64').toString('utf8');
    else if (kind === 'collect-error') errors.push(`${name}: ${value}`);
  }
  return { collected, ...(errors.length > 0 ? { collectErrors: errors } : {}) };
}
