import { describe, expect, it } from 'vitest';
import { fitEvent, type SessionEvent } from '../../shared/domain/events.js';
import { MAX_WS_MESSAGE_BYTES } from '../../shared/domain/limits.js';

const size = (event: SessionEvent) => Buffer.byteLength(JSON.stringify(event), 'utf8');

describe('Function: fitEvent', () => {
  it('leaves an event that fits untouched', () => {
    const event: SessionEvent = {
      type: 'result',
      sessionId: 's',
      status: 'verified',
      rounds: 1,
      winner: { index: 1, durationMs: 3, diff: '--- a\n+++ b\n' },
      notes: [],
    };
    expect(fitEvent(event, MAX_WS_MESSAGE_BYTES)).toBe(event);
  });

  it("drops a result's large diff, flagged, and keeps the verdict", () => {
    const event: SessionEvent = {
      type: 'result',
      sessionId: 's',
      status: 'verified',
      rounds: 1,
      winner: { index: 2, durationMs: 3, diff: '😀'.repeat(20_000) },
      notes: ['n'],
      reason: 'candidate 2 passed',
    };
    const fitted = fitEvent(event, MAX_WS_MESSAGE_BYTES);
    expect(fitted).toMatchObject({
      status: 'verified',
      winner: { index: 2, durationMs: 3, diffOmitted: true },
    });
    expect(fitted.type === 'result' && fitted.winner && 'diff' in fitted.winner).toBe(false);
    expect(size(fitted)).toBeLessThanOrEqual(MAX_WS_MESSAGE_BYTES);
  });

  it('shortens long reasons, messages and notes to fit', () => {
    const long = 'x'.repeat(100_000);
    for (const event of [
      {
        type: 'candidate',
        sessionId: 's',
        round: 1,
        index: 1,
        role: 'candidate',
        source: 'c',
        status: 'blocked',
        durationMs: 0,
        reason: long,
      },
      { type: 'progress', sessionId: 's', stage: 'running', round: 1, message: long },
      { type: 'error', sessionId: null, message: long },
      {
        type: 'result',
        sessionId: 's',
        status: 'no_fix',
        rounds: 1,
        winner: null,
        notes: Array(40).fill(long),
      },
    ] as SessionEvent[]) {
      expect(size(fitEvent(event, MAX_WS_MESSAGE_BYTES)), event.type).toBeLessThanOrEqual(
        MAX_WS_MESSAGE_BYTES,
      );
    }
  });
});
