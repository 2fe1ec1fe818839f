import type { Upload } from '../domain/sandbox-job.js';
import type {
  CandidateRecord,
  CandidateSummary,
  FixProblem,
  Harness,
  RunResult,
  SessionMeta,
  SessionStatus,
  StoredCandidate,
} from '../domain/types.js';

/** The sandbox function runs two runners, each with its own containment: Python runs and browser jobs. */
export type SandboxRunnerKind = 'python' | 'browser';

/** An evaluator task round as the table keeps it (`TASK#<task>` / `ROUND#<n>`). */
export interface TaskRoundRecord {
  sessionId: string;
  status?: SessionStatus;
  nonce?: string;
  /** The repository and commit the round published; a revise publishes on top of this repository. */
  publication?: { owner: string; repo: string; repoUrl: string; commitSha: string; pagesUrl: string };
  notifiedAt?: string;
  updatedAt?: string;
}

/** Where a page of a user's sessions ends: the last session's time and id. */
export interface SessionCursor {
  createdAt: string;
  sessionId: string;
}

/** Port: sessions, their candidates and results, and who is subscribed to them. */
export interface SessionStore {
  /** Stores a new session with its problem, as its kind serializes it (JSON-safe). */
  create(meta: SessionMeta, problem: object): Promise<void>;
  getMeta(sessionId: string): Promise<SessionMeta | undefined>;
  /** The problem as `create` stored it; the session's kind knows its shape. */
  getProblem<P extends object = FixProblem>(sessionId: string): Promise<P>;
  /** Applies a partial update and returns the new metadata. */
  updateMeta(
    sessionId: string,
    patch: Partial<Omit<SessionMeta, 'sessionId' | 'createdAt' | 'subscribers'>>,
  ): Promise<SessionMeta>;
  getHarness(sessionId: string): Promise<Harness | undefined>;
  /**
   * Stores candidates (their code and diff by reference; results come later) and, in round 1, the
   * harness they run against (its test by reference), in as few writes as the API allows.
   */
  putCandidates(sessionId: string, candidates: CandidateRecord[], harness?: Harness): Promise<void>;
  getCandidate(sessionId: string, index: number): Promise<StoredCandidate | undefined>;
  /** A candidate's diff alone, or null once expired. */
  getDiff(sessionId: string, index: number): Promise<string | null>;
  /** One candidate's verdict and source, without reading its content. */
  getSummary(sessionId: string, index: number): Promise<CandidateSummary | undefined>;
  /** All candidates of a session with their content, the baseline (index 0) first. */
  listCandidates(sessionId: string): Promise<StoredCandidate[]>;
  /** All candidates' verdicts and change sizes, without reading any content (one query). */
  listSummaries(sessionId: string): Promise<CandidateSummary[]>;
  /** Stores a run's verdict; its outputs go to the artifact store, its logs too when given. */
  saveResult(sessionId: string, index: number, result: RunResult): Promise<void>;
  /** A presigned GET of a candidate's code, diff or outputs JSON (index 0: the original program). */
  presignCandidate(
    sessionId: string,
    index: number,
    part: 'code' | 'diff' | 'outputs',
    expiresInS: number,
  ): Promise<string>;
  /** A presigned GET of the harness test. */
  presignHarness(sessionId: string, expiresInS: number): Promise<string>;
  /** A presigned, size-capped upload of a run's full logs (JSON `{stdout, stderr}`). */
  presignLogUpload(sessionId: string, index: number, maxBytes: number, expiresInS: number): Promise<Upload>;
  /** A named piece of a session kept by reference (a kind's compiled harness, a candidate site). */
  putArtifact(sessionId: string, name: string, body: string): Promise<void>;
  /** The piece, or null when it never was or has expired. */
  getArtifact(sessionId: string, name: string): Promise<string | null>;
  presignArtifact(sessionId: string, name: string, expiresInS: number): Promise<string>;
  /** A presigned, size-capped upload of a named piece (a transform candidate's output CSV). */
  presignArtifactUpload(
    sessionId: string,
    name: string,
    maxBytes: number,
    expiresInS: number,
  ): Promise<Upload>;
  /** Points an evaluator task round at the session building it (a later request for the round supersedes). */
  bindTaskRound(task: string, round: number, sessionId: string): Promise<void>;
  findTaskRound(task: string, round: number): Promise<string | undefined>;
  /** The round's record: which session builds it and, once delivered, where it was published. */
  getTaskRoundRecord(task: string, round: number): Promise<TaskRoundRecord | undefined>;
  /**
   * Writes what a round delivered onto its record while the round is still bound to that session;
   * false when a later request for the round has taken the record over (it is left as it is).
   */
  recordTaskRound(task: string, round: number, record: Omit<TaskRoundRecord, 'updatedAt'>): Promise<boolean>;
  /**
   * Counts a refused credential from `source` in the current window of `windowS` seconds and
   * returns the count so far in it; `countAuthFailures` reads it without counting.
   */
  recordAuthFailure(source: string, windowS: number): Promise<number>;
  countAuthFailures(source: string, windowS: number): Promise<number>;
  /**
   * Adds a connection to the session's subscribers and returns the session as it is then; undefined
   * when there is no such session. Throws TooManySubscribersError past MAX_SUBSCRIBERS.
   */
  addSubscriber(sessionId: string, connectionId: string): Promise<SessionMeta | undefined>;
  /** The session's subscribers now (a session's own writes return them too, in its meta). */
  listSubscribers(sessionId: string): Promise<string[]>;
  removeSubscriber(sessionId: string, connectionId: string): Promise<void>;
  /**
   * A user's sessions newest first, `limit` at a time, from after `after` (the last one of the
   * previous page); `next` is where the following page starts, when there may be one.
   */
  listOwned(
    owner: string,
    page: { limit: number; after?: SessionCursor },
  ): Promise<{ items: SessionMeta[]; next?: SessionCursor }>;
  /**
   * Settles the unit of quota the session holds (`held` → `to`), atomically: true when this call
   * settled it, false when it was already settled (or never held).
   */
  settleQuota(sessionId: string, to: 'consumed' | 'returned'): Promise<boolean>;
  /** Sets the session's share token, or with undefined removes it. */
  setShareToken(sessionId: string, token: string | undefined): Promise<void>;
  /** Sessions not yet finished (for recovery after a crash of the local stack). */
  listUnfinished(): Promise<SessionMeta[]>;
  /**
   * Binds an idempotency key to a session, atomically: the first caller's binding wins (until it
   * lapses at `expiresAt`); a later caller is told what the key is already bound to.
   */
  claimIdempotencyKey(
    key: string,
    binding: { sessionId: string; fingerprint: string; expiresAt: string },
  ): Promise<{ claimed: true } | { claimed: false; sessionId: string; fingerprint: string }>;
  /** What the sandbox function last reported measuring (GET /health shows it). */
  recordContainment(runner: SandboxRunnerKind, containment: string, measuredAt: string): Promise<void>;
  getContainment(runner: SandboxRunnerKind): Promise<{ containment: string; measuredAt: string } | undefined>;
}
