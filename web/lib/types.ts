// The API's shapes, as the engine declares them: type-only imports, erased from the bundle, so the
// console never drifts from what the handlers answer (see the root README, "HTTP API" and
// "WebSocket API").
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
