import { z } from 'zod';
import { type Content, contentSchema } from './content.js';
import { type SearchJob, searchJobSchema } from './search-job.js';
import type { CheckOutcome, RunResult, SiteOutcome } from './types.js';

/**
 * What one sandbox invocation is handed. The sandbox holds no credentials and reaches no store:
 * content comes inline when it fits the state payload, else as a presigned GET URL; its full logs go
 * up through a presigned, size-capped POST; its verdict comes back in its response.
 */

export type { Content } from './content.js';

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

/** Shared by every item of a transform run: the typed input table, and the keys the output must not repeat. */
export interface TransformRun {
  kind: 'transform';
  /** The dataset's typed table (JSON), by presigned URL unless small. */
  table: Content;
  /** A group-by's keys: the sandbox counts the output rows that repeat them. */
  uniqueBy?: string[];
}

/** One transform candidate: its program, and where its full output CSV goes. */
export interface TransformItem {
  sessionId: string;
  round: number;
  index: number;
  role: 'candidate';
  source?: string;
  code: Content;
  /** A presigned, size-capped upload of the output CSV. */
  output?: Upload;
  logs?: Upload;
}

/**
 * A fix round's run has no `kind`; a site round's says `site`, a transform's `transform`; a repair
 * search is a job of its own.
 */
export type SandboxInvocation =
  | { item: RoundItem; run: RoundRun }
  | { item: SiteItem; run: SiteRun }
  | { item: TransformItem; run: TransformRun }
  | { search: SearchJob };
export type FixInvocation = Extract<SandboxInvocation, { run: RoundRun }>;
export type SiteInvocation = Extract<SandboxInvocation, { run: SiteRun }>;
export type SearchInvocation = Extract<SandboxInvocation, { search: SearchJob }>;
export type TransformInvocation = Extract<SandboxInvocation, { run: TransformRun }>;

export function isTransformInvocation(invocation: SandboxInvocation): invocation is TransformInvocation {
  return 'run' in invocation && 'kind' in invocation.run && invocation.run.kind === 'transform';
}

export function isSearchInvocation(invocation: SandboxInvocation): invocation is SearchInvocation {
  return 'search' in invocation;
}

export function isSiteInvocation(invocation: SandboxInvocation): invocation is SiteInvocation {
  return 'run' in invocation && 'kind' in invocation.run && invocation.run.kind === 'site';
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

/** Checks in one site round (the task request allows 100; rules never make more than one of each). */
export const MAX_SITE_CHECKS = 200;
/** One compiled check's expression. */
export const MAX_CHECK_JS_CHARS = 4_000;

const itemPlace = {
  sessionId: z.string().min(1),
  round: z.number().int().min(1),
  index: z.number().int().min(0),
  role: z.enum(['baseline', 'candidate']),
  source: z.string().max(100).optional(),
};

const uploadSchema = z
  .object({ url: z.string().url(), fields: z.record(z.string(), z.string()), maxBytes: z.number().int() })
  .strict();

export const roundItemSchema = z
  .object({
    ...itemPlace,
    code: contentSchema.optional(),
    logs: uploadSchema.optional(),
  })
  .strict();

const roundRunSchema = z
  .object({
    filename: z.string().min(1),
    harness: z.object({ kind: z.enum(['test', 'runs']), test: contentSchema.optional() }).strict(),
    original: contentSchema,
  })
  .strict();

export const siteItemSchema = z.object({ ...itemPlace, site: contentSchema }).strict();

const siteRunSchema = z
  .object({
    kind: z.literal('site'),
    checks: z
      .array(
        z
          .object({
            // Ids are the controller's own names for checks; a plain alphabet keeps a result's size predictable.
            id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/),
            js: z.string().min(1).max(MAX_CHECK_JS_CHARS),
          })
          .strict(),
      )
      .max(MAX_SITE_CHECKS)
      .refine((checks) => new Set(checks.map((check) => check.id)).size === checks.length, {
        message: 'check ids must be unique',
      }),
  })
  .strict();

const transformItemSchema = z
  .object({
    ...itemPlace,
    role: z.literal('candidate'),
    code: contentSchema,
    output: uploadSchema.optional(),
    logs: uploadSchema.optional(),
  })
  .strict();

const transformRunSchema = z
  .object({
    kind: z.literal('transform'),
    table: contentSchema,
    uniqueBy: z.array(z.string().max(300)).max(50).optional(),
  })
  .strict();

/** Every job kind, strictly: a site run is told apart by its `kind`, and none takes another's fields. */
export const sandboxInvocationSchema = z.union([
  z.object({ item: roundItemSchema, run: roundRunSchema }).strict(),
  z.object({ item: siteItemSchema, run: siteRunSchema }).strict(),
  z.object({ item: transformItemSchema, run: transformRunSchema }).strict(),
  z.object({ search: searchJobSchema }).strict(),
]);

/**
 * A result cut to `maxBytes` of JSON, so it fits the state payload beside its item: a site's lists
 * and check texts are cut first (every check keeps its id and status: they are the evidence), then
 * the streams keep their ends (where a traceback is), and are flagged truncated. The full logs went
 * up apart.
 */
export function fitResult(result: RunResult, maxBytes: number = MAX_RESULT_BYTES): RunResult {
  const { logs: _logs, ...bare } = result;
  const size = (value: RunResult) => Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size(bare) <= maxBytes) return bare;
  let cut: RunResult = bare;
  if (bare.site !== undefined) {
    for (const limits of SITE_CUTS) {
      cut = { ...bare, site: cutSite(bare.site, limits) };
      if (size(cut) <= maxBytes) return cut;
    }
  }
  const fitted: RunResult = { ...cut, stdoutTruncated: true, stderrTruncated: true };
  // Halve the longer stream's kept tail until the whole fits; a few steps at most.
  let out = fitted.stdout;
  let err = fitted.stderr;
  while (size({ ...fitted, stdout: out, stderr: err }) > maxBytes && (out.length > 0 || err.length > 0)) {
    // Rounded up, so a last character goes too and the loop always ends.
    if (out.length >= err.length) out = out.slice(Math.ceil(out.length / 2));
    else err = err.slice(Math.ceil(err.length / 2));
  }
  if (out.length === bare.stdout.length) fitted.stdoutTruncated = bare.stdoutTruncated ?? false;
  if (err.length === bare.stderr.length) fitted.stderrTruncated = bare.stderrTruncated ?? false;
  return { ...fitted, stdout: out, stderr: err };
}

/** Ever smaller keeps of a site's lists (entries each) and texts (characters), tried in turn. */
const SITE_CUTS: ReadonlyArray<{ items: number; chars: number }> = [
  { items: 20, chars: 300 },
  { items: 5, chars: 120 },
  { items: 0, chars: 40 },
];

function cutSite(site: SiteOutcome, limits: { items: number; chars: number }): SiteOutcome {
  const list = (entries: readonly string[]) => cutList(entries, limits.items, limits.chars);
  return {
    checks: site.checks.map((check) => {
      const kept: CheckOutcome = { id: check.id, status: check.status };
      if (check.value !== undefined) kept.value = cutText(check.value, limits.chars);
      if (check.error !== undefined) kept.error = cutText(check.error, limits.chars);
      return kept;
    }),
    consoleErrors: list(site.consoleErrors),
    pageErrors: list(site.pageErrors),
    failedRequests: list(site.failedRequests),
    refusedRequests: list(site.refusedRequests),
    cdnSubstitutions: list(site.cdnSubstitutions),
    bytes: site.bytes,
  };
}

const MORE = /^… (\d+) more$/;

/** The first `items` entries, then `… N more` counting every entry left out (and any the list already counted). */
function cutList(entries: readonly string[], items: number, chars: number): string[] {
  const counted = MORE.exec(entries.at(-1) ?? '');
  const real = counted ? entries.slice(0, -1) : entries;
  const dropped = Math.max(0, real.length - items) + (counted ? Number(counted[1]) : 0);
  const kept = real.slice(0, items).map((entry) => cutText(entry, chars));
  return dropped > 0 ? [...kept, `… ${dropped} more`] : kept;
}

function cutText(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

/** The browser runner's own caps, with room: its longest entry and its longest list (plus `… N more`). */
const SITE_TEXT_CHARS = 1000;
const siteList = z.array(z.string().max(SITE_TEXT_CHARS)).max(101);

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
  transform: z
    .object({
      columns: z.array(z.object({ name: z.string().max(1000), dtype: z.string().max(100) })).max(1000),
      rows: z.number().int().min(0),
      nullColumns: z.array(z.string().max(1000)).max(1000),
      duplicateKeyRows: z.number().int().min(0),
      preview: z.array(z.array(z.string().nullable())).max(100),
      csvBytes: z.number().int().min(0),
      stored: z.boolean(),
      error: z.string().max(1000).optional(),
    })
    .optional(),
  site: z
    .object({
      checks: z
        .array(
          z.object({
            id: z.string().max(100),
            status: z.enum(['passed', 'failed', 'error']),
            value: z.string().max(SITE_TEXT_CHARS).optional(),
            error: z.string().max(SITE_TEXT_CHARS).optional(),
          }),
        )
        .max(MAX_SITE_CHECKS),
      consoleErrors: siteList,
      pageErrors: siteList,
      failedRequests: siteList,
      refusedRequests: siteList,
      cdnSubstitutions: siteList,
      bytes: z.number().int().min(0),
    })
    .optional(),
});
