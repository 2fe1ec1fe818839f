import type { ProblemCategory, ProviderCall, RunResult, SessionStatus, Winner } from '../domain/types.js';
import { NotFoundError } from '../errors/http-errors.js';
import type { SessionStore } from '../ports/session-store.js';

export interface RunView {
  status: RunResult['status'] | 'pending';
  exitCode: number | null;
  durationMs: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  reason?: string;
  /** What the policy let through because the original program uses it, and why. */
  allowed?: string[];
}

export interface CandidateView extends RunView {
  index: number;
  round: number;
  source: string;
  title?: string;
  code: string;
  diff: string;
}

export interface FixView {
  sessionId: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  filename: string;
  rounds: number;
  maxRounds: number;
  harness: { kind: 'test' | 'runs'; origin: string } | null;
  baseline: RunView | null;
  candidates: CandidateView[];
  winner: Winner | null;
  notes: string[];
  reason?: string;
  category: ProblemCategory | null;
  /** Every model call made for the session: provider, purpose, latency, tokens, outcome. */
  calls: ProviderCall[];
}

const pending: RunView = { status: 'pending', exitCode: null, durationMs: null, stdout: '', stderr: '' };

function runView(result: RunResult | undefined): RunView {
  if (!result) return pending;
  const { logs: _logs, ...stored } = result;
  return { ...stored };
}

/** The public view of a session; a NotFoundError for an unknown id. */
export async function getFix(deps: { store: SessionStore }, sessionId: string): Promise<FixView> {
  const meta = await deps.store.getMeta(sessionId);
  if (!meta) throw new NotFoundError(`no session ${sessionId}`);
  const [records, harness] = await Promise.all([
    deps.store.listCandidates(sessionId),
    deps.store.getHarness(sessionId),
  ]);
  const baseline = records.find((record) => record.index === 0);
  const view: FixView = {
    sessionId,
    status: meta.status,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    filename: meta.filename,
    rounds: meta.rounds,
    maxRounds: meta.maxRounds,
    harness: harness ? { kind: harness.kind, origin: harness.origin } : null,
    baseline: baseline ? runView(baseline.result) : null,
    candidates: records
      .filter((record) => record.index > 0)
      .map((record) => ({
        index: record.index,
        round: record.round,
        source: record.source,
        ...(record.title === undefined ? {} : { title: record.title }),
        code: record.code,
        diff: record.diff,
        ...runView(record.result),
      })),
    winner: meta.winner,
    notes: meta.notes,
    category: meta.category ?? null,
    calls: meta.calls ?? [],
  };
  if (meta.reason !== undefined) view.reason = meta.reason;
  return view;
}
