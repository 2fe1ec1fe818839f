// A reader of `text/event-stream` bodies for POSTed streams (EventSource can only GET): each event's
// `data:` lines joined, as the spec says, and handed on as they arrive.

/** The events of a server-sent stream: each one's data, in order, until the body ends. */
export async function* readEventData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value, { stream: !done });
      if (done) break;
      // An event ends at a blank line; a line ends at CRLF, LF or CR.
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
        // Comments (`:`), `event:`, `id:` and `retry:` lines carry nothing this console reads.
      }
    }
    if (buffer.startsWith('data:')) data.push(buffer.slice(buffer.startsWith('data: ') ? 6 : 5));
    if (data.length > 0) yield data.join('\n');
  } finally {
    reader.releaseLock();
  }
}

/** One event of the transform streams: a chunk of text, the end, or the reason it stopped. */
export interface TextStreamEvent {
  chunk?: string;
  error?: string;
  done: boolean;
}

export function parseTextStreamEvent(data: string): TextStreamEvent {
  const parsed = JSON.parse(data) as Record<string, unknown>;
  return {
    ...(typeof parsed.chunk === 'string' ? { chunk: parsed.chunk } : {}),
    ...(typeof parsed.error === 'string' ? { error: parsed.error } : {}),
    done: parsed.done === true,
  };
}
