import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/**
 * The local stack runs many invocations in one process at once, as Lambda's multi-concurrency
 * runtime does; like that runtime, it gives each invocation its own context store so per-invocation
 * log keys (the session id) never bleed between concurrent sessions.
 */
export async function enableConcurrentInvocations(): Promise<void> {
  await InvokeStore.getInstanceAsync(true);
}

/**
 * Runs stack code that is not an invocation (the gateway, recovery) in a context of its own: with
 * the concurrent store, the logger needs one for every line it writes.
 */
export async function outsideInvocation<T>(fn: () => T | Promise<T>): Promise<T> {
  const store = await InvokeStore.getInstanceAsync();
  return await store.run({}, fn);
}

/** Calls a handler as the Lambda runtime would: in its own context, with a clock counting down. */
export function localInvoker(functionName: string, handler: LambdaHandler, timeoutMs = 120_000) {
  return invokerWith(functionName, timeoutMs, (event, context) => handler(event as never, context));
}

export type StreamingHandler = (
  event: never,
  responseStream: NodeJS.WritableStream,
  context: Context,
) => Promise<unknown>;

/** Calls a streaming handler as the runtime does for RESPONSE_STREAM: with the stream it writes to. */
export function localStreamInvoker(functionName: string, handler: StreamingHandler, timeoutMs = 900_000) {
  const invoke = invokerWith(functionName, timeoutMs, (event, context, stream) =>
    handler(event as never, stream as NodeJS.WritableStream, context),
  );
  return (event: unknown, stream: NodeJS.WritableStream) => invoke(event, stream);
}

function invokerWith(
  functionName: string,
  timeoutMs: number,
  call: (event: unknown, context: Context, stream?: NodeJS.WritableStream) => Promise<unknown>,
) {
  return async (event: unknown, stream?: NodeJS.WritableStream): Promise<unknown> => {
    const store = await InvokeStore.getInstanceAsync();
    const deadline = Date.now() + timeoutMs;
    const requestId = randomUUID();
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
      memoryLimitInMB: '1024',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, () =>
      call(event, context, stream),
    );
  };
}
