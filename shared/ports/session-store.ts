import type { CandidateRecord, FixProblem, Harness, RunResult, SessionMeta } from '../domain/types.js';

/** Port: sessions, their candidates and results, and who is subscribed to them. */
export interface SessionStore {
  create(meta: SessionMeta, problem: FixProblem): Promise<void>;
  getMeta(sessionId: string): Promise<SessionMeta | undefined>;
  getProblem(sessionId: string): Promise<FixProblem>;
  /** Applies a partial update and returns the new metadata. */
  updateMeta(
    sessionId: string,
    patch: Partial<Omit<SessionMeta, 'sessionId' | 'createdAt'>>,
  ): Promise<SessionMeta>;
  saveHarness(sessionId: string, harness: Harness): Promise<void>;
  getHarness(sessionId: string): Promise<Harness | undefined>;
  /** Stores candidates (their code and diff by reference); results come later. */
  putCandidates(sessionId: string, candidates: CandidateRecord[]): Promise<void>;
  getCandidate(sessionId: string, index: number): Promise<CandidateRecord | undefined>;
  /** All candidates of a session, the baseline (index 0) first, with results where run. */
  listCandidates(sessionId: string): Promise<CandidateRecord[]>;
  saveResult(sessionId: string, index: number, result: RunResult): Promise<void>;
  /** Keeps a full log as an artifact; returns its key. */
  saveLog(sessionId: string, index: number, stream: 'stdout' | 'stderr', text: string): Promise<string>;
  addSubscriber(sessionId: string, connectionId: string): Promise<void>;
  listSubscribers(sessionId: string): Promise<string[]>;
  removeSubscriber(sessionId: string, connectionId: string): Promise<void>;
  /** Sessions not yet finished (for recovery after a crash of the local stack). */
  listUnfinished(): Promise<SessionMeta[]>;
  recordConnection(connectionId: string): Promise<void>;
  forgetConnection(connectionId: string): Promise<void>;
}
