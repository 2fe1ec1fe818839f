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

// Transforms: a dataset uploaded once, an instruction, and the verified program that turns it into a table.

import type { Cell, DatasetColumn, DatasetFormat } from '../../shared/kinds/transform/dataset';

export type { Cell, DatasetColumn } from '../../shared/kinds/transform/dataset';

/** POST /v1/datasets (201): the parsed upload, its columns and at most 10 rows. */
export interface DatasetUpload {
  datasetId: string;
  filename: string;
  format: DatasetFormat;
  sheet?: string;
  columns: DatasetColumn[];
  /** The number of rows in the whole dataset. */
  rows: number;
  /** Row-major, in the order of `columns`. */
  preview: Cell[][];
  expiresAt: string;
}

export type TransformStatus = 'queued' | 'running' | 'verified' | 'no_fix' | 'failed';

export const TRANSFORM_FINAL: ReadonlySet<TransformStatus> = new Set<TransformStatus>([
  'verified',
  'no_fix',
  'failed',
]);

export interface TransformCheck {
  name: string;
  passed: boolean;
  detail?: string;
}

export interface TransformCandidate {
  index: number;
  source: string;
  status: 'pending' | 'passed' | 'failed' | 'timeout' | 'crashed' | 'blocked';
  durationMs?: number;
  reason?: string;
  checks: TransformCheck[];
}

/** The passing program and the table it made (at most 50 rows shown). */
export interface TransformWinner {
  index: number;
  code: string;
  columns: DatasetColumn[];
  rows: number;
  preview: Cell[][];
}

/** GET /v1/transforms/{jobId} */
export interface TransformJob {
  jobId: string;
  status: TransformStatus;
  datasetId: string;
  createdAt: string;
  updatedAt: string;
  reason?: string;
  notes: string[];
  candidates: TransformCandidate[];
  winner: TransformWinner | null;
}

/** POST /v1/transforms: exactly one of the three says what to run. */
export type TransformRequest = { datasetId: string } & (
  | { instruction: string }
  | { spec: string }
  | { code: string }
  /** Code with the specification it implements: the output is checked against the specification. */
  | { spec: string; code: string }
);
