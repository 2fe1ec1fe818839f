import { NotFoundError } from '../../../domain/errors.js';
import type { CheckVerdict, ProviderCall, SessionStatus, TaskDelivery } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { decodeSiteBundle } from '../site.js';

export interface SiteCandidateView {
  index: number;
  attempt: number;
  role: 'baseline' | 'candidate';
  source: string;
  title?: string;
  status: 'passed' | 'failed' | 'timeout' | 'crashed' | 'blocked' | 'pending';
  /** Checks this site passed in the browser, of those that could run. */
  passed: number | null;
  durationMs: number | null;
  reason?: string;
  consoleErrors: string[];
  pageErrors: string[];
  refusedRequests: string[];
  failedRequests: string[];
  bytes: number;
}

export interface TaskRoundView {
  task: string;
  round: number;
  nonce: string;
  sessionId: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  deadline: string;
  /** The evaluator must have been notified by then. */
  notifyBy: string | null;
  attempts: number;
  checks: CheckVerdict[] | null;
  candidates: SiteCandidateView[];
  winner: {
    index: number;
    /** The winning site's files (paths and sizes); null once expired. */
    files: Array<{ path: string; bytes: number }> | null;
    /** A presigned GET of the site bundle (`{"files":[{"path","base64"}]}`). */
    siteUrl?: string;
  } | null;
  /** Publishing, proving live and reporting the winner: where it stands, each notification attempt. */
  delivery: TaskDelivery | null;
  /** The evaluator's fields, once published. */
  repo_url: string | null;
  commit_sha: string | null;
  pages_url: string | null;
  notes: string[];
  reason?: string;
  calls: ProviderCall[];
}

const URL_EXPIRY_S = 3600;

/** The public view of an evaluator task round; a NotFoundError when this deployment has no such round. */
export async function getTaskRound(
  deps: { store: SessionStore },
  task: string,
  round: number,
): Promise<TaskRoundView> {
  const sessionId = await deps.store.findTaskRound(task, round);
  const meta = sessionId ? await deps.store.getMeta(sessionId) : undefined;
  if (!sessionId || !meta?.task) throw new NotFoundError(`no round ${round} of task ${task}`);
  const summaries = await deps.store.listSummaries(sessionId);
  let winner: TaskRoundView['winner'] = null;
  if (meta.winner) {
    const record = await deps.store.getCandidate(sessionId, meta.winner.index);
    const files = record?.code ? decodeSiteBundle(record.code) : null;
    winner = {
      index: meta.winner.index,
      files: files?.map((file) => ({ path: file.path, bytes: file.content.length })) ?? null,
      ...(files
        ? { siteUrl: await deps.store.presignCandidate(sessionId, meta.winner.index, 'code', URL_EXPIRY_S) }
        : {}),
    };
  }
  return {
    task,
    round,
    nonce: meta.task.nonce,
    sessionId,
    status: meta.status,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    deadline: meta.task.deadline,
    notifyBy: meta.task.notifyBy ?? null,
    attempts: meta.rounds,
    checks: meta.task.checks ?? null,
    candidates: summaries.map((summary) => {
      const site = summary.result?.site;
      return {
        index: summary.index,
        attempt: summary.round,
        role: summary.index === 0 ? 'baseline' : 'candidate',
        source: summary.source,
        ...(summary.title === undefined ? {} : { title: summary.title }),
        status: summary.result?.status ?? 'pending',
        passed: site ? site.checks.filter((check) => check.status === 'passed').length : null,
        durationMs: summary.result?.durationMs ?? null,
        ...(summary.result?.reason === undefined ? {} : { reason: summary.result.reason }),
        consoleErrors: site?.consoleErrors ?? [],
        pageErrors: site?.pageErrors ?? [],
        refusedRequests: site?.refusedRequests ?? [],
        failedRequests: site?.failedRequests ?? [],
        bytes: site?.bytes ?? summary.changedLines,
      };
    }),
    winner,
    delivery: meta.task.delivery ?? null,
    repo_url: meta.task.delivery?.publication?.repoUrl ?? null,
    commit_sha: meta.task.delivery?.publication?.commitSha ?? null,
    pages_url: meta.task.delivery?.publication?.pagesUrl ?? null,
    notes: meta.notes,
    ...(meta.reason === undefined ? {} : { reason: meta.reason }),
    calls: meta.calls ?? [],
  };
}
