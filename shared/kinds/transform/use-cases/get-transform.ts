import { NotFoundError } from '../../../domain/errors.js';
import type { SessionStatus } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { judgeOutput, type OutputCheckVerdict } from '../judge-output.js';
import type { TransformProblem } from '../transform-request.js';
import { CHECKS_ARTIFACT, outputArtifact, SPEC_ARTIFACT } from './prepare-transform.js';

export interface TransformCandidateView {
  index: number;
  source: string;
  status: 'pending' | 'passed' | 'failed' | 'timeout' | 'crashed' | 'blocked';
  durationMs?: number;
  reason?: string;
  checks: OutputCheckVerdict[];
}

export interface TransformView {
  jobId: string;
  status: SessionStatus;
  datasetId: string;
  instruction?: string;
  spec?: string;
  createdAt: string;
  updatedAt: string;
  reason?: string;
  notes: string[];
  candidates: TransformCandidateView[];
  winner: null | {
    index: number;
    source: string;
    code: string | null;
    columns: Array<{ name: string; dtype: string }>;
    rows: number;
    preview: Array<Array<string | null>>;
  };
}

/**
 * A transform job as its owner sees it: each candidate with its verdict and every check (judged
 * again from the stored measurement, by the judge's own function), and the winner's code, columns
 * and first rows. The caller has checked that the job is the owner's.
 */
export async function getTransform(deps: { store: SessionStore }, jobId: string): Promise<TransformView> {
  const meta = await deps.store.getMeta(jobId);
  if (meta?.kind !== 'transform') throw new NotFoundError('no such transform job');
  const [problem, summaries, spec, checksText] = await Promise.all([
    deps.store.getProblem<TransformProblem>(jobId),
    deps.store.listSummaries(jobId),
    deps.store.getArtifact(jobId, SPEC_ARTIFACT),
    deps.store.getArtifact(jobId, CHECKS_ARTIFACT),
  ]);
  const checks =
    checksText === null ? undefined : (JSON.parse(checksText) as Parameters<typeof judgeOutput>[0]);
  const candidates = summaries
    .filter((summary) => summary.index > 0)
    .map((summary): TransformCandidateView => {
      const result = summary.result;
      const verdict = checks && result ? judgeOutput(checks, result) : undefined;
      const status: TransformCandidateView['status'] = !result
        ? 'pending'
        : result.status !== 'passed'
          ? result.status
          : verdict?.passed
            ? 'passed'
            : 'failed';
      const firstFailure = verdict?.checks.find((check) => !check.passed);
      const reason =
        result?.reason ??
        (firstFailure
          ? `${firstFailure.name}${firstFailure.detail ? `: ${firstFailure.detail}` : ''}`
          : undefined);
      return {
        index: summary.index,
        source: summary.source,
        status,
        ...(result ? { durationMs: result.durationMs } : {}),
        ...(reason === undefined ? {} : { reason }),
        checks: verdict?.checks ?? [],
      };
    });
  const won = meta.winner ? summaries.find((summary) => summary.index === meta.winner?.index) : undefined;
  const outcome = won?.result?.transform;
  const winner =
    won && outcome
      ? {
          index: won.index,
          source: won.source,
          code: (await deps.store.getCandidate(jobId, won.index))?.code ?? null,
          columns: outcome.columns,
          rows: outcome.rows,
          preview: outcome.preview,
        }
      : null;
  return {
    jobId,
    status: meta.status,
    datasetId: problem.datasetId,
    ...(problem.instruction === undefined ? {} : { instruction: problem.instruction }),
    ...(spec === null ? (problem.spec === undefined ? {} : { spec: problem.spec }) : { spec }),
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    ...(meta.reason === undefined ? {} : { reason: meta.reason }),
    notes: meta.notes,
    candidates,
    winner,
  };
}

/** A CSV inline while it fits a Lambda response (6 MB, less its framing); larger, by a presigned URL. */
export const MAX_INLINE_CSV_BYTES = 4 * 1024 * 1024;
const OUTPUT_URL_EXPIRY_S = 600;

/**
 * The winner's full output CSV, or NotFoundError while there is none (or it has expired). The size
 * the sandbox measured decides, before anything is read, whether it comes inline or by a URL.
 */
export async function getTransformOutput(
  deps: { store: SessionStore },
  jobId: string,
): Promise<{ filename: string } & ({ csv: string } | { url: string })> {
  const meta = await deps.store.getMeta(jobId);
  if (meta?.kind !== 'transform') throw new NotFoundError('no such transform job');
  if (!meta.winner) throw new NotFoundError('this job has no verified output');
  const base =
    meta.filename
      .replace(/\.[^.]*$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 80) || 'output';
  const filename = `${base}-transformed.csv`;
  const name = outputArtifact(meta.winner.index);
  const measured = (await deps.store.getSummary(jobId, meta.winner.index))?.result?.transform;
  if ((measured?.csvBytes ?? 0) > MAX_INLINE_CSV_BYTES) {
    return { filename, url: await deps.store.presignArtifact(jobId, name, OUTPUT_URL_EXPIRY_S) };
  }
  const csv = await deps.store.getArtifact(jobId, name);
  if (csv === null) throw new NotFoundError('the output has expired');
  return { filename, csv };
}
