// The API's shapes as the console reads them (see the root README, "HTTP API" and "WebSocket API").
// Kept here, not imported from shared/, so the web app builds on its own.

export type SessionStatus =
  | 'queued'
  | 'running'
  | 'verified'
  | 'no_fix'
  | 'not_reproduced'
  | 'failed'
  | 'partial';
export type RunStatus = 'passed' | 'failed' | 'timeout' | 'crashed' | 'blocked' | 'pending';

export interface RunView {
  status: RunStatus;
  exitCode: number | null;
  durationMs: number | null;
  stdout: string | null;
  stderr: string | null;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  reason?: string;
  crashedBy?: 'program' | 'sandbox';
  allowed?: string[];
}

export interface CandidateView extends RunView {
  index: number;
  round: number;
  source: string;
  title?: string;
  code: string | null;
  diff: string | null;
  fullReplacement?: boolean;
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
  winner: { index: number; durationMs: number; diff: string | null; diffUrl?: string } | null;
  notes: string[];
  reason?: string;
  expired: boolean;
}

export type SessionEvent =
  | { type: 'accepted'; sessionId: string; status: 'queued' }
  | {
      type: 'progress';
      sessionId: string;
      stage: string;
      round: number;
      message: string;
      provider?: string;
      attempt?: number;
    }
  | {
      type: 'candidate';
      sessionId: string;
      round: number;
      index: number;
      role: 'baseline' | 'candidate';
      source: string;
      status: RunStatus;
      durationMs: number;
      reason?: string;
    }
  | {
      type: 'result';
      sessionId: string;
      status: SessionStatus;
      rounds: number;
      winner: { index: number; durationMs: number; diff?: string; diffOmitted?: true } | null;
      notes: string[];
      reason?: string;
      checks?: { passed: number; failed: number; unverified: number };
    }
  | { type: 'error'; sessionId: string | null; message: string; field?: string };

export interface CheckVerdict {
  text: string;
  how: 'given' | 'rule' | 'model' | 'none';
  status: 'passed' | 'failed' | 'unverified';
  why?: string;
}

export interface SiteCandidateView {
  index: number;
  attempt: number;
  role: 'baseline' | 'candidate';
  source: string;
  title?: string;
  status: RunStatus;
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
  sessionId: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  deadline: string;
  notifyBy: string | null;
  attempts: number;
  checks: CheckVerdict[] | null;
  candidates: SiteCandidateView[];
  winner: { index: number; files: Array<{ path: string; bytes: number }> | null; siteUrl?: string } | null;
  delivery: { stage: string; judged: string; judgedReason: string; reason?: string } | null;
  repo_url: string | null;
  commit_sha: string | null;
  pages_url: string | null;
  notes: string[];
  reason?: string;
}

export const TERMINAL: ReadonlySet<SessionStatus> = new Set([
  'verified',
  'no_fix',
  'not_reproduced',
  'failed',
  'partial',
]);
