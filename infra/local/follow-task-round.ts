import WebSocket from 'ws';
import type { ResultEvent, SessionEvent } from '../../shared/domain/events.js';

/**
 * Follows a task round over the WebSocket by its task and round, as the evaluator names it: every
 * event is handed to `onEvent` as it comes, and the round's result resolves the promise. An `error`
 * event, or the socket closing before a result, rejects it. Subscribing to a round already finished
 * answers its result at once, so a late subscriber still gets it.
 */
export function followTaskRound(
  wsUrl: string,
  round: { task: string; round: number },
  onEvent: (event: SessionEvent) => void,
): { result: Promise<ResultEvent>; close: () => void } {
  const socket = new WebSocket(wsUrl);
  const result = new Promise<ResultEvent>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      socket.close();
    };
    socket.once('open', () =>
      socket.send(JSON.stringify({ action: 'subscribe', task: round.task, round: round.round })),
    );
    socket.on('message', (data) => {
      let event: SessionEvent;
      try {
        event = JSON.parse(String(data)) as SessionEvent;
      } catch {
        return settle(() =>
          reject(new Error(`the WebSocket sent something that is not JSON: ${String(data)}`)),
        );
      }
      onEvent(event);
      if (event.type === 'result') settle(() => resolve(event));
      else if (event.type === 'error')
        settle(() => reject(new Error(`the WebSocket said: ${event.message}`)));
    });
    socket.once('error', (error) => settle(() => reject(error)));
    socket.once('close', () =>
      settle(() => reject(new Error('the WebSocket closed before the round had a result'))),
    );
  });
  return { result, close: () => socket.terminate() };
}
