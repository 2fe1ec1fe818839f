// The API's shapes, as the engine declares them: type-only imports, erased from the bundle, so the
// console never drifts from what the handlers answer (see the root README, "HTTP API" and
// "WebSocket API").
import type { QuotaView } from '../../shared/domain/quota';
import type { SessionStatus } from '../../shared/domain/types';
import type { RunView } from '../../shared/kinds/fix/use-cases/get-fix';

export type { SessionEvent } from '../../shared/domain/events';
export type { SessionStatus } from '../../shared/domain/types';
export type { CandidateView, FixView, RunView } from '../../shared/kinds/fix/use-cases/get-fix';
export type { SiteCandidateView, TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round';

/** A run's verdict as a view shows it (`pending` until it ran). */
export type RunStatus = RunView['status'];

export const TERMINAL: ReadonlySet<SessionStatus> = new Set<SessionStatus>([
  'verified',
  'no_fix',
  'not_reproduced',
  'failed',
  'partial',
]);

// Issue 11's shapes (users, history, share links), as the API contract states them.

/** The day's allowance: `resetsAt` is the next UTC midnight (ISO). */
export type { QuotaView as Quota } from '../../shared/domain/quota';

/** GET /v1/me */
export interface Me {
  user: { id: string; name: string; email?: string };
  via: 'token' | 'key';
  quota: QuotaView;
}

/** One row of GET /v1/fixes?mine */
export interface FixListItem {
  sessionId: string;
  kind: 'fix';
  status: SessionStatus;
  filename: string;
  createdAt: string;
  updatedAt: string;
  shared: boolean;
}

export interface FixList {
  items: FixListItem[];
  /** Opaque: sent back as is for the next page; absent on the last. */
  cursor?: string;
}

/** POST /v1/fixes/{id}/share */
export interface ShareLink {
  token: string;
  path: string;
}

/** GET /v1/shared/{token}: a session as an anonymous reader sees it. */
export interface SharedView {
  filename: string;
  status: SessionStatus;
  createdAt: string;
  original: string | null;
  winner: { index: number; code: string | null; diff: string | null } | null;
  candidates: Array<{
    index: number;
    round: number;
    status: RunStatus;
    durationMs: number | null;
    title?: string;
  }>;
  baseline: { status: RunStatus; durationMs: number | null } | null;
}
