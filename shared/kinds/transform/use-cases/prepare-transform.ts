import { MAX_TRANSFORM_OUTPUT_BYTES } from '../../../domain/limits.js';
import {
  type Content,
  MAX_INLINE_PIECE_BYTES,
  MAX_INLINE_ROUND_BYTES,
  MAX_LOG_UPLOAD_BYTES,
  type TransformItem,
  type TransformRun,
} from '../../../domain/sandbox-job.js';
import { type CandidateRecord, TERMINAL_STATUSES } from '../../../domain/types.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { type EventLog, publishSessionEvent } from '../../../use-cases/session-events.js';
import type { TypedTable } from '../dataset.js';
import type { DatasetStore } from '../dataset-store.js';
import type { OutputChecks } from '../output-checks.js';
import type { TransformProblem } from '../transform-request.js';
import type { ProgramProposal, TransformTextSource } from '../transform-text-source.js';

export interface PreparedTransform {
  sessionId: string;
  round: number;
  run?: TransformRun;
  items: TransformItem[];
}

export interface PrepareTransformDeps {
  store: SessionStore;
  datasets: DatasetStore;
  source: TransformTextSource;
  /** The output checks a specification implies, for this table. */
  checksFor: (spec: string, table: TypedTable) => OutputChecks;
  push: PushChannel;
  log: EventLog;
}

/** The job's specification and checks, kept with the session. */
export const SPEC_ARTIFACT = 'spec.md';
export const CHECKS_ARTIFACT = 'checks.json';
/** The job's own copy of the dataset's typed table: what every candidate runs on, even if the dataset expires. */
export const INPUT_ARTIFACT = 'input.json';
/** Where candidate `index`'s full output CSV goes. */
export const outputArtifact = (index: number): string => `output-${index}.csv`;
/** Distinct programs a run asks for, unless the client gave the code. */
export const TRANSFORM_CANDIDATES = 3;
const URL_EXPIRY_S = 3600;

/**
 * The transform controller's use case: the one round of a transform job.
 *
 * 1. A retried step whose candidates exist returns their items as they stand.
 * 2. The specification: the client's, or refined from the instruction by the source (a client's
 *    code alone has none; code with its specification is checked against it). The checks the specification implies are derived from it and the table
 *    and kept with the session, with the specification.
 * 3. The programs: the client's code, or `TRANSFORM_CANDIDATES` distinct programs from the source.
 * 4. The items: each program inline while the round's inline budget lasts, else by presigned URL;
 *    each with a presigned upload for its output CSV. The run carries the typed table (by URL
 *    unless small) and the keys whose repeats the sandbox counts.
 */
export async function prepareTransform(
  deps: PrepareTransformDeps,
  input: { sessionId: string; round: number },
): Promise<PreparedTransform> {
  const { sessionId, round } = input;
  const meta = await deps.store.getMeta(sessionId);
  if (meta?.kind !== 'transform') throw new Error(`transform job ${sessionId} does not exist`);
  if (TERMINAL_STATUSES.includes(meta.status)) return { sessionId, round, items: [] };
  const problem = await deps.store.getProblem<TransformProblem>(sessionId);
  const progress = (message: string) =>
    publishSessionEvent(deps, { type: 'progress', sessionId, stage: 'generating', round, message });

  const existing = (await deps.store.listSummaries(sessionId)).filter((summary) => summary.round === round);
  if (existing.length > 0) {
    const checks = await storedChecks(deps.store, sessionId);
    const records = await Promise.all(
      existing.map((summary) => deps.store.getCandidate(sessionId, summary.index)),
    );
    const programs = records.flatMap((record) =>
      record?.code ? [{ index: record.index, source: record.source, code: record.code }] : [],
    );
    return planItems(deps, sessionId, round, checks, programs);
  }

  const dataset = await deps.datasets.getMeta(problem.datasetId);
  if (!dataset) throw new Error('the dataset has expired');
  await deps.store.updateMeta(sessionId, { status: 'running', rounds: round });
  const tableText = await deps.datasets.getTable(problem.datasetId);
  if (tableText === undefined) throw new Error('the dataset has expired');
  const table = JSON.parse(tableText) as TypedTable;
  await deps.store.putArtifact(sessionId, INPUT_ARTIFACT, tableText);
  const sketch = { columns: dataset.columns, rows: dataset.rows, preview: dataset.preview };
  const notes: string[] = [];
  const calls = [...(meta.calls ?? [])];

  let spec = problem.spec;
  if (spec === undefined && problem.instruction !== undefined) {
    await progress(`writing the specification (${deps.source.name})`);
    spec = '';
    for await (const chunk of deps.source.refine({ ...sketch, instruction: problem.instruction }))
      spec += chunk;
  }
  const checks: OutputChecks =
    spec === undefined ? { columns: [], inputRows: dataset.rows } : deps.checksFor(spec, table);
  if (spec !== undefined) await deps.store.putArtifact(sessionId, SPEC_ARTIFACT, spec);
  await deps.store.putArtifact(sessionId, CHECKS_ARTIFACT, JSON.stringify(checks));
  if (spec === undefined)
    notes.push(
      'Only your code was given: the output is checked to run, to have columns and no column entirely missing.',
    );

  let proposals: ProgramProposal[];
  if (problem.code !== undefined) {
    proposals = [{ source: 'client', code: problem.code }];
  } else {
    await progress(`writing ${TRANSFORM_CANDIDATES} candidate programs (${deps.source.name})`);
    const proposed = await deps.source.propose({ ...sketch, spec: spec ?? '', count: TRANSFORM_CANDIDATES });
    proposals = proposed.programs;
    notes.push(...proposed.notes);
    calls.push(...proposed.calls);
  }
  const records: CandidateRecord[] = proposals.map((proposal, at) => ({
    index: meta.lastIndex + at + 1,
    round,
    source: proposal.source,
    code: proposal.code,
    diff: '',
    changedLines: proposal.code.split('\n').length,
  }));
  await deps.store.putCandidates(sessionId, records);
  await deps.store.updateMeta(sessionId, {
    lastIndex: meta.lastIndex + records.length,
    notes: [...new Set([...meta.notes, ...notes])],
    calls,
  });
  const count = records.length;
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId,
    stage: 'running',
    round,
    message: `running ${count} candidate program${count === 1 ? '' : 's'} on ${dataset.rows} rows in the sandbox`,
  });
  return planItems(deps, sessionId, round, checks, records, tableText);
}

async function planItems(
  deps: Pick<PrepareTransformDeps, 'store'>,
  sessionId: string,
  round: number,
  checks: OutputChecks,
  programs: ReadonlyArray<{ index: number; source: string; code: string }>,
  /** The job's input as just stored; a retried step reads it back. */
  stored?: string,
): Promise<PreparedTransform> {
  const tableText = stored ?? (await deps.store.getArtifact(sessionId, INPUT_ARTIFACT));
  if (tableText === null) throw new Error(`transform job ${sessionId} has no input`);
  const tableBytes = Buffer.byteLength(tableText, 'utf8');
  const run: TransformRun = {
    kind: 'transform',
    table:
      tableBytes <= MAX_INLINE_PIECE_BYTES
        ? { text: tableText }
        : {
            url: await deps.store.presignArtifact(sessionId, INPUT_ARTIFACT, URL_EXPIRY_S),
            bytes: tableBytes,
          },
    ...(checks.uniqueBy === undefined ? {} : { uniqueBy: checks.uniqueBy }),
  };
  let inlineLeft = MAX_INLINE_ROUND_BYTES - Buffer.byteLength(JSON.stringify(run));
  const items: TransformItem[] = [];
  for (const program of programs) {
    const bytes = Buffer.byteLength(program.code, 'utf8');
    let code: Content;
    if (bytes <= MAX_INLINE_PIECE_BYTES && bytes <= inlineLeft) {
      inlineLeft -= bytes;
      code = { text: program.code };
    } else {
      code = {
        url: await deps.store.presignCandidate(sessionId, program.index, 'code', URL_EXPIRY_S),
        bytes,
      };
    }
    items.push({
      sessionId,
      round,
      index: program.index,
      role: 'candidate',
      source: program.source,
      code,
      output: await deps.store.presignArtifactUpload(
        sessionId,
        outputArtifact(program.index),
        MAX_TRANSFORM_OUTPUT_BYTES,
        URL_EXPIRY_S,
      ),
      logs: await deps.store.presignLogUpload(sessionId, program.index, MAX_LOG_UPLOAD_BYTES, URL_EXPIRY_S),
    });
  }
  return { sessionId, round, run, items };
}

export async function storedChecks(store: SessionStore, sessionId: string): Promise<OutputChecks> {
  const text = await store.getArtifact(sessionId, CHECKS_ARTIFACT);
  if (text === null) throw new Error(`transform job ${sessionId} has no checks`);
  return JSON.parse(text) as OutputChecks;
}
