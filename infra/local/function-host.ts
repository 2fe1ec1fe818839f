import './process-defaults.js';
import './polyfills.js';
import { Writable } from 'node:stream';
import {
  enableConcurrentInvocations,
  type LambdaHandler,
  localInvoker,
  localStreamInvoker,
  type StreamingHandler,
} from './lambda-invoker.js';
import { isStreamingHandler } from './polyfills.js';

/*
 * Functions in a process of their own (started by function-process.ts), as in AWS each is a function
 * of its own: the work of running sessions (the controller's and notifier's store calls and pushes,
 * the sandbox's interpreter starts, work dirs and clean-up scans), the API's (its store and Step
 * Functions calls) and the gateway's with the state machine's each keep an event loop to themselves.
 * Invocations come over IPC and run concurrently, each in its own Lambda context.
 */

const MODULES: Record<string, string> = {
  'http-api': '../../lambdas/http-api/handler.js',
  'ws-default': '../../lambdas/ws-default/handler.js',
  'ws-connection': '../../lambdas/ws-connection/handler.js',
  authorizer: '../../lambdas/authorizer/handler.js',
  sandbox: '../../lambdas/sandbox/handler.js',
  controller: '../../lambdas/controller/handler.js',
  notifier: '../../lambdas/notifier/handler.js',
  'task-controller': '../../lambdas/task-controller/handler.js',
  'transform-controller': '../../lambdas/transform-controller/handler.js',
  'transform-stream': '../../lambdas/transform-stream/handler.js',
  'task-delivery': '../../lambdas/task-delivery/handler.js',
};

interface InvokeMessage {
  type: 'invoke';
  id: number;
  name: string;
  payload: unknown;
}

await enableConcurrentInvocations();
const invokers = new Map<string, (event: unknown, id: number) => Promise<unknown>>();
/** What a function holds beyond its process (the sandbox's browsers), released before it exits. */
const closers: Array<() => Promise<void>> = [];
let containment: string | undefined;
for (const name of process.argv.slice(2)) {
  const path = MODULES[name];
  if (!path) throw new Error(`no function named ${name}`);
  const module = (await import(path)) as {
    handler: LambdaHandler;
    containment?: string;
    close?: () => Promise<void>;
  };
  if (isStreamingHandler(module.handler)) {
    // Each write goes to the caller as it is made, as the runtime streams it to the function URL.
    const invoke = localStreamInvoker(`truth-engine-${name}`, module.handler as unknown as StreamingHandler);
    invokers.set(name, (event, id) => {
      const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          process.send?.(
            { type: 'chunk', id, data: Buffer.from(chunk).toString('base64') },
            undefined,
            {},
            () => done(),
          );
        },
      });
      return invoke(event, stream).then(
        () =>
          new Promise<null>((resolve) => {
            if (stream.writableFinished) resolve(null);
            else stream.end(() => resolve(null));
          }),
      );
    });
  } else {
    const invoke = localInvoker(`truth-engine-${name}`, module.handler);
    invokers.set(name, (event) => invoke(event));
  }
  containment ??= module.containment;
  if (module.close) closers.push(module.close);
}
let running = 0;
let closing = false;

function exitWhenIdle(): void {
  if (closing && running === 0) process.disconnect?.();
}

process.on('message', (message: InvokeMessage | { type: 'close' }) => {
  if (message.type === 'close') {
    closing = true;
    exitWhenIdle();
    return;
  }
  if (message.type !== 'invoke') return;
  const invoke = invokers.get(message.name);
  running += 1;
  (invoke
    ? invoke(message.payload, message.id)
    : Promise.reject(new Error(`${message.name} is not hosted here`))
  )
    .then(
      (value) => process.send?.({ type: 'result', id: message.id, value }),
      (error: unknown) => {
        const { name, message: text } = error instanceof Error ? error : new Error(String(error));
        // What Lambda's runtime logs for a failed invocation: the error with its stack (and, for
        // an SDK call that failed, how many attempts it made), which the caller never sees.
        const attempts = (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts;
        process.stderr.write(
          `${JSON.stringify({
            level: 'ERROR',
            message: 'Invoke Error',
            function: message.name,
            errorType: name,
            errorMessage: text,
            ...(attempts === undefined ? {} : { attempts }),
            stack: error instanceof Error ? error.stack?.split('\n').slice(1, 8) : undefined,
          })}\n`,
        );
        process.send?.({ type: 'result', id: message.id, error: { name, message: text } });
      },
    )
    .finally(() => {
      running -= 1;
      exitWhenIdle();
    });
});
// Ctrl-C reaches the whole process group: the stack stops its executions first, then closes this.
process.on('SIGINT', () => undefined);
// The stack went away: nothing will collect the answers. What the functions started goes first
// (bounded: a stuck close must not keep the process alive).
process.on('disconnect', () => {
  const closed = Promise.allSettled(closers.map((close) => close()));
  const bound = new Promise((done) => setTimeout(done, 5000).unref());
  void Promise.race([closed, bound]).finally(() => process.exit(0));
});
process.send?.({ type: 'ready', containment });
