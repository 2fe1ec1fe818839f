import type { SessionStatus, Verdict, Winner } from './types.js';

/** Events pushed to WebSocket subscribers of a session. Every event has `type` and `sessionId`. */
export type SessionEvent =
  | { type: 'accepted'; sessionId: string; status: 'queued' }
  | {
      type: 'progress';
      sessionId: string;
      stage: 'queued' | 'categorizing' | 'generating' | 'running' | 'judging' | 'retrying';
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
      status: Verdict;
      durationMs: number;
      reason?: string;
    }
  | {
      type: 'result';
      sessionId: string;
      status: SessionStatus;
      rounds: number;
      winner: Winner | null;
      notes: string[];
      reason?: string;
    }
  | { type: 'error'; sessionId: string | null; message: string; field?: string };
