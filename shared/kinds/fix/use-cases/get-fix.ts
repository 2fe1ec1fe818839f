import { UnknownSessionError } from '../../../domain/errors.js';
import type {
  ProblemCategory,
  ProviderCall,
  SessionStatus,
  StoredCandidate,
  Winner,
} from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';

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
  /** What the policy let through because the original program uses it, and why. */
  allowed?: string[];
}

export interface CandidateView extends RunView {
  index: number;
  round: number;
  source: string;
  title?: string;
  /** null once expired (the verdict stands, the text is gone), or when given by URL instead. */
  code: string | null;
  diff: string | null;
  fullReplacement?: boolean;
  /** Presigned URLs for what did not fit the response (`outputsUrl` serves `{stdout, stderr}`). */
  codeUrl?: string;
  diffUrl?: string;
  outputsUrl?: string;
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
  winner: (Winner & { diff: string | null; diffUrl?: string }) | null;
  notes: string[];
  reason?: string;
  category: ProblemCategory | null;
  /** Every model call made for the session: provider, purpose, latency, tokens, outcome. */
  calls: ProviderCall[];
  /** Some code, diff or output has expired from the artifact store (those fields are null). */
  expired: boolean;
  /** The share link's token while the session is shared; shown to its owner only. */
  shareToken?: string;
}

/**
 * A Lambda response is at most 6 MB, and its body is escaped once more inside it: content is put
 * inline while its doubly escaped size fits this budget; the rest is given by presigned URL.
 */
export const MAX_VIEW_CONTENT_BYTES = 5 * 1024 * 1024;
const URL_EXPIRY_S = 3600;

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
 * The public view of a session; an UnknownSessionError for an unknown id. Verdicts live in the table and
 * outlast the artifacts: once code or outputs expire, they read as null and `expired` says so.
 */
export async function getFix(deps: { store: SessionStore }, sessionId: string): Promise<FixView> {
  const view = await readView(deps.store, sessionId);
  await bound(deps.store, view);
  return view;
}

async function readView(store: SessionStore, sessionId: string): Promise<FixView> {
  const deps = { store };
  const meta = await deps.store.getMeta(sessionId);
  if (!meta) throw new UnknownSessionError(sessionId);
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

/** Moves content past the response budget out to presigned URLs, in index order (the winner's diff first). */
async function bound(store: SessionStore, view: FixView): Promise<void> {
  let budget = MAX_VIEW_CONTENT_BYTES;
  const cost = (text: string | null) =>
    text === null ? 0 : Buffer.byteLength(JSON.stringify(JSON.stringify(text)));
  const fits = (bytes: number) => {
    if (bytes > budget) return false;
    budget -= bytes;
    return true;
  };
  const url = (index: number, part: 'code' | 'diff' | 'outputs') =>
    store.presignCandidate(view.sessionId, index, part, URL_EXPIRY_S);
  if (view.winner?.diff && !fits(cost(view.winner.diff))) {
    view.winner = { ...view.winner, diff: null, diffUrl: await url(view.winner.index, 'diff') };
  }
  for (const candidate of view.candidates) {
    if (candidate.code !== null && !fits(cost(candidate.code))) {
      candidate.code = null;
      candidate.codeUrl = await url(candidate.index, 'code');
    }
    if (candidate.diff !== null && !fits(cost(candidate.diff))) {
      candidate.diff = null;
      candidate.diffUrl = await url(candidate.index, 'diff');
    }
    if (
      candidate.stdout !== null &&
      candidate.stderr !== null &&
      !fits(cost(candidate.stdout) + cost(candidate.stderr))
    ) {
      candidate.stdout = null;
      candidate.stderr = null;
      candidate.outputsUrl = await url(candidate.index, 'outputs');
    }
  }
}
