import { sanitizeOutput } from '../../domain/output-sanitizer.js';
import type { RunResult } from '../../domain/types.js';
import type { RunContainment } from '../../ports/sandbox-runner.js';
import type { ProcessOutcome } from './run-process.js';
import type { RunSettings } from './runner-settings.js';
import { type BootReport, parseAllowed, toOutcome } from './verdict.js';

/** The run's verdict from how its process ended and what the boot script reported, outputs sanitized. */
export function runResult(
  ran: ProcessOutcome,
  report: BootReport | null,
  timeoutMs: number,
  settings: RunSettings,
  containment: RunContainment,
): RunResult {
  const outcome = toOutcome({
    report,
    backstopFired: ran.backstopFired,
    outputLimitHit: ran.outputLimitHit,
    ...(ran.spawnError !== undefined ? { spawnError: ran.spawnError } : {}),
    ...(ran.lost !== undefined ? { lost: ran.lost } : {}),
    exitCode: ran.exitCode,
    signal: ran.signal,
    timeoutMs,
    memoryMb: settings.memoryMb,
    outputLimitBytes: settings.maxOutputBytes,
  });
  const out = sanitizeStreams(ran.stdout, ran.stderr, settings);
  const result: RunResult = {
    status: outcome.status,
    exitCode: outcome.exitCode,
    durationMs: Math.round(ran.durationMs * 100) / 100,
    stdout: out.stdout.text,
    stderr: out.stderr.text,
    stdoutTruncated: out.stdout.truncated,
    stderrTruncated: out.stderr.truncated,
    logs: { stdout: out.logs.stdout, stderr: out.logs.stderr },
  };
  if (outcome.reason !== undefined) result.reason = outcome.reason;
  if (outcome.crashedBy !== undefined) result.crashedBy = outcome.crashedBy;
  const allowed = parseAllowed(ran.report);
  if (allowed.length > 0) result.allowed = allowed;
  result.containment = { level: containment.level, layers: [...containment.layers] };
  return result;
}

/** The result's copy is cut from the sanitized log, so secrets are removed once, from both. */
function sanitizeStreams(stdout: string, stderr: string, s: RunSettings) {
  const logs = {
    stdout: sanitizeOutput(stdout, s.logOutputBytes, s.secretForms),
    stderr: sanitizeOutput(stderr, s.logOutputBytes, s.secretForms),
  };
  return {
    logs: { stdout: logs.stdout.text, stderr: logs.stderr.text },
    stdout: withFlag(sanitizeOutput(logs.stdout.text, s.resultOutputBytes), logs.stdout.truncated),
    stderr: withFlag(sanitizeOutput(logs.stderr.text, s.resultOutputBytes), logs.stderr.truncated),
  };
}

function withFlag(capped: { text: string; truncated: boolean }, already: boolean) {
  return { text: capped.text, truncated: capped.truncated || already };
}
