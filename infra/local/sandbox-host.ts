import './process-defaults.js';
import './polyfills.js';
import { enableConcurrentInvocations, type LambdaHandler, localInvoker } from './lambda-invoker.js';

/*
 * The sandbox function in a process of its own (started by sandbox-process.ts), as in AWS it is a
 * function of its own: starting interpreters (a fork that holds its caller until the exec), the work
 * dirs and the clean-up scans of every run stay off the event loop that serves the API. Invocations
 * come over IPC and run concurrently, each in its own Lambda context.
 */

interface InvokeMessage {
  type: 'invoke';
  id: number;
  payload: unknown;
}

await enableConcurrentInvocations();
const sandbox = await import('../../lambdas/sandbox/handler.js');
const invoke = localInvoker('truth-engine-sandbox', sandbox.handler as LambdaHandler);
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
  running += 1;
  invoke(message.payload)
    .then(
      (value) => process.send?.({ type: 'result', id: message.id, value }),
      (error: unknown) => {
        const { name, message: text } = error instanceof Error ? error : new Error(String(error));
        process.send?.({ type: 'result', id: message.id, error: { name, message: text } });
      },
    )
    .finally(() => {
      running -= 1;
      exitWhenIdle();
    });
});
// The stack went away: nothing will collect the answers.
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', containment: sandbox.containment });
