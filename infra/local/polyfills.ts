// aws-local-stepfunctions targets Node 22; on Node 20 it needs Promise.withResolvers before it loads.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/*
 * The Node runtime's response streaming, as Lambda provides it to a function URL in RESPONSE_STREAM
 * mode: `awslambda.streamifyResponse` marks a handler as streaming (the runtime then calls it with a
 * response stream), and `HttpResponseStream.from` writes the HTTP prelude — the status and headers
 * as JSON, then eight NUL bytes — before the body, which is what the function URL reads back.
 */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
interface Writable {
  write(chunk: string | Uint8Array): boolean;
  setContentType?(type: string): void;
}
const lambdaGlobal = globalThis as { awslambda?: unknown };
lambdaGlobal.awslambda ??= {
  streamifyResponse<H extends object>(handler: H): H {
    Object.defineProperty(handler, STREAMING, { value: 'response' });
    return handler;
  },
  HttpResponseStream: {
    from<S extends Writable>(stream: S, prelude: Record<string, unknown>): S {
      stream.setContentType?.('application/vnd.awslambda.http-integration-response');
      stream.write(JSON.stringify(prelude));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

/** Whether the runtime would call this handler with a response stream. */
export function isStreamingHandler(handler: unknown): boolean {
  return (
    typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === 'response'
  );
}
