import type { SessionStatus, Verdict, Winner } from './types.js';

/** Events pushed to WebSocket subscribers of a session. Every event has `type` and `sessionId`. */
export type SessionEvent =
  | { type: 'accepted'; sessionId: string; status: 'queued' }
  | {
      type: 'progress';
      sessionId: string;
      stage:
        | 'queued'
        | 'categorizing'
        | 'generating'
        | 'running'
        // The offline repair search, between batches: edits tried so far, and how many passed.
        | 'searching'
        | 'judging'
        | 'retrying'
        // A task round after its judge: waiting for its previous round, then delivering its site.
        | 'waiting'
        | 'publishing'
        | 'verifying-live'
        | 'notifying';
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
      /** The winner's diff rides along when the event stays within a WebSocket frame; else GET the session. */
      winner: (Winner & { diff?: string; diffOmitted?: true }) | null;
      notes: string[];
      reason?: string;
      /** A task round's checks as the winner fared: counts; GET /v1/tasks/{task}/rounds/{round} has each. */
      checks?: { passed: number; failed: number; unverified: number };
    }
  | { type: 'error'; sessionId: string | null; message: string; field?: string };

export type ResultEvent = Extract<SessionEvent, { type: 'result' }>;

const MAX_TEXT_CHARS = 2000;

/**
 * An event cut to fit `maxBytes` of JSON (a WebSocket frame): long texts are shortened, and a
 * result's diff is left out (flagged `diffOmitted`) when it does not fit; the client fetches the
 * session instead. What is cut is always available from GET /v1/fixes/{id}.
 */
export function fitEvent(event: SessionEvent, maxBytes: number): SessionEvent {
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size(event) <= maxBytes) return event;
  const short = (text: string) => (text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}…` : text);
  let fitted: SessionEvent;
  switch (event.type) {
    case 'result': {
      const { diff: _diff, ...winner } = event.winner ?? { index: 0, durationMs: 0 };
      fitted = {
        ...event,
        winner: event.winner ? { ...winner, diffOmitted: true } : null,
        notes: event.notes.map(short),
        ...(event.reason === undefined ? {} : { reason: short(event.reason) }),
      };
      break;
    }
    case 'progress':
    case 'error':
      fitted = { ...event, message: short(event.message) };
      break;
    case 'candidate':
      fitted = event.reason === undefined ? event : { ...event, reason: short(event.reason) };
      break;
    default:
      fitted = event;
  }
  if (size(fitted) <= maxBytes) return fitted;
  // Only a pathological count of notes gets here; the session view holds them all.
  if (fitted.type === 'result')
    return { ...fitted, notes: [`${fitted.notes.length} notes: see the session`] };
  return fitted;
}
