import { InvalidRequestError, NotFoundError } from '../domain/errors.js';
import { InstructionNotUnderstoodError } from '../kinds/transform/instruction-not-understood-error.js';

/** The headers of every event stream: never cached, never buffered by a proxy on the way. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

const event = (data: object) => `data: ${JSON.stringify(data)}\n\n`;

/**
 * Text as server-sent events: `{"chunk", "done": false}` for each piece as it is written, then
 * `{"done": true}`; an error on the way is the last event, `{"error", "done": true}`, in the
 * engine's own words for what the client can fix and a plain apology for anything else (never the
 * internals, never a key).
 */
export async function* sseEvents(
  chunks: AsyncIterable<string>,
  onFault?: (error: unknown) => void,
): AsyncIterable<string> {
  try {
    for await (const chunk of chunks) {
      if (chunk !== '') yield event({ chunk, done: false });
    }
    yield event({ done: true });
  } catch (error) {
    const shown =
      error instanceof InstructionNotUnderstoodError ||
      error instanceof InvalidRequestError ||
      error instanceof NotFoundError;
    if (!shown) onFault?.(error);
    yield event({ error: shown ? error.message : 'the text could not be written; try again', done: true });
  }
}
