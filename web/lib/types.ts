// The API's shapes, as the engine declares them: type-only imports, erased from the bundle, so the
// console never drifts from what the handlers answer (see the root README, "HTTP API" and
// "WebSocket API").
import type { QuotaView } from '../../shared/domain/quota';
import type { SessionStatus } from '../../shared/domain/types';
import type { RunView } from '../../shared/kinds/fix/use-cases/get-fix';
import type { HistoryItem as FixListItem } from '../../shared/use-cases/history';

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

// Users, history and share links.

/** The day's allowance: `resetsAt` is the next UTC midnight (ISO). */
export type { QuotaView as Quota } from '../../shared/domain/quota';
export type { HistoryItem as FixListItem } from '../../shared/use-cases/history';
export type { SharedView } from '../../shared/use-cases/share';

/** GET /v1/me (as lambdas/http-api answers it: the user's name and email when the token has them). */
export interface Me {
  user: { id: string; name?: string; email?: string };
  via: 'token' | 'key';
  quota: QuotaView;
}

/** GET /v1/fixes?mine */
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
