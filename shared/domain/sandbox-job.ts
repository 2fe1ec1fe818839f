import { z } from 'zod';
import type { RunResult } from './types.js';

/**
 * What one sandbox invocation is handed. The sandbox holds no credentials and reaches no store:
 * content comes inline when it fits the state payload, else as a presigned GET URL; its full logs go
 * up through a presigned, size-capped POST; its verdict comes back in its response.
 */

/** A piece of text given to the sandbox: inline, or by a presigned URL with its exact size. */
export type Content = { text: string } | { url: string; bytes: number };

/** A presigned form upload (S3 POST policy): the URL, the form fields, and the largest body it takes. */
export interface Upload {
  url: string;
  fields: Record<string, string>;
  maxBytes: number;
}

/** Shared by every item of a round (the Map hands it to each one). */
export interface RoundRun {
  /** The client's file name; the program is written under it. */
  filename: string;
  harness: { kind: 'test' | 'runs'; test?: Content };
  /** The client's original program: the baseline runs it, the policy measures candidates against it. */
  original: Content;
}

/** One Map item: the baseline (index 0, runs `original`) or a candidate. */
export interface RoundItem {
  sessionId: string;
  round: number;
  index: number;
  role: 'baseline' | 'candidate';
  /** Who proposed it (`original` for the baseline), for the candidate event. */
  source?: string;
  /** The candidate's program (absent for the baseline, which runs the original). */
  code?: Content;
  /** Where the full logs go. */
  logs?: Upload;
}

export interface SandboxInvocation {
  item: RoundItem;
  run: RoundRun;
}

/** Shared by every item of a task round: the compiled checks, evaluated on each site's page. */
export interface SiteRun {
  kind: 'site';
  checks: Array<{ id: string; js: string }>;
}
/** One task Map item: the baseline site (index 0) or a candidate; its files as a site bundle. */
export interface SiteItem {
  sessionId: string;
  round: number;
  index: number;
  role: 'baseline' | 'candidate';
  source?: string;
  /** A site bundle (JSON, see encodeSiteBundle): inline, or by presigned URL. */
  site: Content;
}

/**
 * Step Functions caps a state's payload at 256 KiB. A round's output carries every item; each Map
 * iteration carries the run, its item and the sandbox's result. Inline pieces are therefore small,
 * and the total inline across a round is bounded; the rest goes by URL.
 */
export const MAX_INLINE_PIECE_BYTES = 24 * 1024;
export const MAX_INLINE_ROUND_BYTES = 112 * 1024;
/** The sandbox's answer (its verdict with capped outputs) stays under this many bytes of JSON. */
export const MAX_RESULT_BYTES = 96 * 1024;
/** Full logs of one run (both streams, as JSON) accepted by the upload. */
export const MAX_LOG_UPLOAD_BYTES = 3 * 1024 * 1024;

const contentSchema = z.union([
  z.object({ text: z.string() }).strict(),
  z.object({ url: z.string().url(), bytes: z.number().int().min(0) }).strict(),
]);

export const roundItemSchema = z.object({
  sessionId: z.string().min(1),
  round: z.number().int().min(1),
  index: z.number().int().min(0),
  role: z.enum(['baseline', 'candidate']),
  source: z.string().max(100).optional(),
  code: contentSchema.optional(),
  logs: z
    .object({ url: z.string().url(), fields: z.record(z.string(), z.string()), maxBytes: z.number().int() })
    .optional(),
});

export const sandboxInvocationSchema = z.object({
  item: roundItemSchema,
  run: z.object({
    filename: z.string().min(1),
    harness: z.object({ kind: z.enum(['test', 'runs']), test: contentSchema.optional() }),
    original: contentSchema,
  }),
});

/**
 * A result cut to `maxBytes` of JSON, so it fits the state payload beside its item: the streams
 * keep their ends (where a traceback is), and are flagged truncated. The full logs went up apart.
 */
export function fitResult(result: RunResult, maxBytes: number = MAX_RESULT_BYTES): RunResult {
  const { logs: _logs, ...bare } = result;
  const size = (value: RunResult) => Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size(bare) <= maxBytes) return bare;
  const fitted: RunResult = { ...bare, stdoutTruncated: true, stderrTruncated: true };
  // Halve the longer stream's kept tail until the whole fits; a few steps at most.
  let out = fitted.stdout;
  let err = fitted.stderr;
  while (size({ ...fitted, stdout: out, stderr: err }) > maxBytes && (out.length > 0 || err.length > 0)) {
    if (out.length >= err.length) out = out.slice(Math.floor(out.length / 2));
    else err = err.slice(Math.floor(err.length / 2));
  }
  if (out.length === bare.stdout.length) fitted.stdoutTruncated = bare.stdoutTruncated ?? false;
  if (err.length === bare.stderr.length) fitted.stderrTruncated = bare.stderrTruncated ?? false;
  return { ...fitted, stdout: out, stderr: err };
}

/** A sandbox's answer as the notifier accepts it. */
export const runResultSchema = z.object({
  status: z.enum(['passed', 'failed', 'timeout', 'crashed', 'blocked']),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().min(0),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean().optional(),
  stderrTruncated: z.boolean().optional(),
  reason: z.string().optional(),
  crashedBy: z.enum(['program', 'sandbox']).optional(),
  allowed: z.array(z.string().max(500)).max(100).optional(),
  containment: z
    .object({ level: z.string().max(50), layers: z.array(z.string().max(100)).max(50) })
    .optional(),
});
