import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayProxyWebsocketEventV2,
  Context,
} from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  IdempotencyConflictError,
  InvalidRequestError,
  NotFoundError,
  RequestTooLargeError,
  SecretRefusedError,
  TooManyRefusalsError,
  UnknownSessionError,
} from '../../shared/domain/errors.js';
import type { SessionEvent } from '../../shared/domain/events.js';
import { requestBodyTooLarge } from '../../shared/domain/limits.js';
import { httpErrorMiddleware } from '../../shared/edge/http-error-middleware.js';
import { httpErrorResponse, refusalOf, wsErrorEvent } from '../../shared/edge/refusal.js';
import { UnknownRouteError } from '../../shared/edge/unknown-route-error.js';
import { wsErrorMiddleware } from '../../shared/edge/ws-error-middleware.js';
import { logger } from '../../shared/observability/logger.js';

const context = {} as Context;
const fixKeyConflict = () =>
  new IdempotencyConflictError(
    'this Idempotency-Key was already used for a different request',
    'Idempotency-Key',
  );

describe('Function: refusalOf', () => {
  it.each([
    [new InvalidRequestError('code is required', 'code'), 400, { error: 'code is required', field: 'code' }],
    [
      new UnknownSessionError('0b6e0c1e-5c1f-4d3a-9a57-1f1e2d3c4b5a'),
      404,
      {
        error: 'no session 0b6e0c1e-5c1f-4d3a-9a57-1f1e2d3c4b5a',
      },
    ],
    [new UnknownSessionError(), 404, { error: 'no such session' }],
    [new NotFoundError('no round 2 of task demo'), 404, { error: 'no round 2 of task demo' }],
    [new UnknownRouteError('DELETE', '/v1/fixes'), 404, { error: 'no route for DELETE /v1/fixes' }],
    [new SecretRefusedError('the secret is wrong'), 403, { error: 'the secret is wrong', field: 'secret' }],
    [
      fixKeyConflict(),
      409,
      {
        error: 'this Idempotency-Key was already used for a different request',
        field: 'Idempotency-Key',
      },
    ],
    [requestBodyTooLarge(), 413, { error: 'the request body exceeds 2.5 MiB', field: 'body' }],
    [
      new RequestTooLargeError('the attachments exceed 1.75 MiB', 'attachments'),
      413,
      {
        error: 'the attachments exceed 1.75 MiB',
        field: 'attachments',
      },
    ],
    [
      new IdempotencyConflictError(
        'this task, round and nonce were already sent with another request',
        'nonce',
      ),
      409,
      { error: 'this task, round and nonce were already sent with another request', field: 'nonce' },
    ],
    [
      new TooManyRefusalsError('too many refused secrets from this source; try again later'),
      429,
      { error: 'too many refused secrets from this source; try again later' },
    ],
  ])('answers %s with %i', (error, statusCode, body) => {
    expect(refusalOf(error)).toEqual({ statusCode, body });
  });

  it('knows no other error: a fault of ours is not a refusal', () => {
    expect(refusalOf(new Error('the table is down'))).toBeUndefined();
    expect(refusalOf('a thrown string')).toBeUndefined();
    // Shaped like the old HTTP errors, yet not the engine's: its status is not believed.
    expect(
      refusalOf(Object.assign(new Error('secret detail'), { statusCode: 400, expose: true })),
    ).toBeUndefined();
  });
});

describe('Function: httpErrorResponse', () => {
  it('sends the refusal as a JSON body with its status', () => {
    expect(httpErrorResponse(new InvalidRequestError('maxRounds must be 1 to 3', 'maxRounds'))).toEqual({
      statusCode: 400,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":"maxRounds must be 1 to 3","field":"maxRounds"}',
    });
  });

  it('answers any other error 500 without a word of its message', () => {
    const response = httpErrorResponse(new Error('ECONNREFUSED 10.0.0.7:8000 with key sk-live-123'));
    expect(response).toEqual({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":"internal error"}',
    });
  });
});

describe('Function: wsErrorEvent', () => {
  it('names the field of an invalid message, bound to no session', () => {
    expect(wsErrorEvent(new InvalidRequestError('the message is not valid JSON', 'body'))).toEqual({
      type: 'error',
      sessionId: null,
      message: 'the message is not valid JSON',
      field: 'body',
    });
  });

  it('carries no field where the refusal names none', () => {
    expect(wsErrorEvent(new UnknownSessionError('abc'))).toEqual({
      type: 'error',
      sessionId: null,
      message: 'no session abc',
    });
  });

  it('has no event for a fault of ours', () => {
    expect(wsErrorEvent(new Error('boom'))).toBeUndefined();
  });
});

describe('Middleware: httpErrorMiddleware', () => {
  const handlerThrowing = (error: unknown) =>
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(httpErrorMiddleware())
      .handler(async () => {
        throw error;
      });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('turns a thrown refusal into its response, logged as one line', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const response = await handlerThrowing(fixKeyConflict())({} as APIGatewayProxyEventV2, context);
    expect(response).toEqual({
      statusCode: 409,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":"this Idempotency-Key was already used for a different request","field":"Idempotency-Key"}',
    });
    expect(info).toHaveBeenCalledWith('request refused', {
      statusCode: 409,
      error: 'this Idempotency-Key was already used for a different request',
      field: 'Idempotency-Key',
    });
  });

  it('turns a fault into the bare 500, logging the fault itself', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const fault = new TypeError('undefined is not a function');
    const response = await handlerThrowing(fault)({} as APIGatewayProxyEventV2, context);
    expect(response).toMatchObject({ statusCode: 500, body: '{"error":"internal error"}' });
    expect(logged).toHaveBeenCalledWith('request failed', fault);
  });
});

describe('Middleware: wsErrorMiddleware', () => {
  const event = { requestContext: { connectionId: 'conn-1' } } as APIGatewayProxyWebsocketEventV2;
  const socket = () => {
    const sent: [string, SessionEvent][] = [];
    return {
      sent,
      push: {
        send: async (connectionId: string, message: SessionEvent) => {
          sent.push([connectionId, message]);
          return 'sent' as const;
        },
      },
    };
  };
  const handlerThrowing = (push: ReturnType<typeof socket>['push'], error: unknown) =>
    middy<APIGatewayProxyWebsocketEventV2, { statusCode: number }>()
      .use(wsErrorMiddleware(push))
      .handler(async () => {
        throw error;
      });

  it('answers a refused message on its socket and keeps the invocation successful', async () => {
    const { sent, push } = socket();
    const response = await handlerThrowing(
      push,
      new InvalidRequestError('action must be "fix" or "subscribe"', 'action'),
    )(event, context);
    expect(response).toEqual({ statusCode: 200 });
    expect(sent).toEqual([
      [
        'conn-1',
        { type: 'error', sessionId: null, message: 'action must be "fix" or "subscribe"', field: 'action' },
      ],
    ]);
  });

  it('lets a fault of ours fail the invocation, telling the socket nothing', async () => {
    const { sent, push } = socket();
    await expect(handlerThrowing(push, new Error('store unreachable'))(event, context)).rejects.toThrow(
      'store unreachable',
    );
    expect(sent).toEqual([]);
  });
});
