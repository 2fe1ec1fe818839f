import type {
  ProblemCategory,
  ProviderCall,
  SessionStatus,
  StoredCandidate,
  Winner,
} from '../domain/types.js';
import { NotFoundError } from '../errors/http-errors.js';
import type { SessionStore } from '../ports/session-store.js';

export interface RunView {
  status: NonNullable<StoredCandidate['result']>['status'] | 'pending';
  exitCode: number | null;
  durationMs: number | null;
  /** null once the run's outputs have expired from the artifact store. */
  stdout: string | null;
  stderr: string | null;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  reason?: string;
  crashedBy?: 'program' | 'sandbox';
}

export interface CandidateView extends RunView {
  index: number;
  round: number;
  source: string;
  title?: string;
  /** null once expired: the verdict stands, the text is gone. */
  code: string | null;
  diff: string | null;
  fullReplacement?: boolean;
}

export interface FixView {
  sessionId: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  filename: string;
  rounds: number;
  maxRounds: number;
  harness: { kind: 'test' | 'runs'; origin: string; expired?: true } | null;
  baseline: RunView | null;
  candidates: CandidateView[];
  winner: (Winner & { diff: string | null }) | null;
  notes: string[];
  reason?: string;
  category: ProblemCategory | null;
  /** Every model call made for the session: provider, purpose, latency, tokens, outcome. */
  calls: ProviderCall[];
  /** Some code, diff or output has expired from the artifact store (those fields are null). */
  expired: boolean;
}

const pending: RunView = { status: 'pending', exitCode: null, durationMs: null, stdout: '', stderr: '' };

function runView(record: StoredCandidate): RunView {
  if (!record.result) return pending;
  return {
    ...record.result,
    stdout: record.outputs?.stdout ?? null,
    stderr: record.outputs?.stderr ?? null,
  };
}

/** Code, diff or outputs that should be there but are not: they expired. */
function isExpired(record: StoredCandidate): boolean {
  return (
    record.code === null || record.diff === null || (record.result !== undefined && record.outputs === null)
  );
}

/**
 * The public view of a session; a NotFoundError for an unknown id. Verdicts live in the table and
 * outlast the artifacts: once code or outputs expire, they read as null and `expired` says so.
 */
export async function getFix(deps: { store: SessionStore }, sessionId: string): Promise<FixView> {
  const meta = await deps.store.getMeta(sessionId);
  if (!meta) throw new NotFoundError(`no session ${sessionId}`);
  const [records, harness] = await Promise.all([
    deps.store.listCandidates(sessionId),
    deps.store.getHarness(sessionId),
  ]);
  const baseline = records.find((record) => record.index === 0);
  const winnerRecord = meta.winner
    ? records.find((record) => record.index === meta.winner?.index)
    : undefined;
  const view: FixView = {
    sessionId,
    status: meta.status,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    filename: meta.filename,
    rounds: meta.rounds,
    maxRounds: meta.maxRounds,
    harness: harness
      ? { kind: harness.kind, origin: harness.origin, ...(harness.expired ? { expired: true as const } : {}) }
      : null,
    baseline: baseline ? runView(baseline) : null,
    candidates: records
      .filter((record) => record.index > 0)
      .map((record) => ({
        index: record.index,
        round: record.round,
        source: record.source,
        ...(record.title === undefined ? {} : { title: record.title }),
        code: record.code,
        diff: record.diff,
        ...(record.fullReplacement ? { fullReplacement: true } : {}),
        ...runView(record),
      })),
    winner: meta.winner
      ? { index: meta.winner.index, durationMs: meta.winner.durationMs, diff: winnerRecord?.diff ?? null }
      : null,
    notes: meta.notes,
    category: meta.category ?? null,
    calls: meta.calls ?? [],
    expired: harness?.expired === true || records.some(isExpired),
  };
  if (meta.reason !== undefined) view.reason = meta.reason;
  return view;
}
