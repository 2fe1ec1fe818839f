import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { PushChannel } from '../ports/push-channel.js';
import { wsErrorEvent } from './refusal.js';

/**
 * Answers a refused WebSocket message on the socket it came from, as `wsErrorEvent` says, and
 * keeps the connection: the invocation succeeds. A fault of ours still fails it.
 */
export function wsErrorMiddleware(
  push: PushChannel,
): MiddlewareObj<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const event = wsErrorEvent(request.error);
      if (!event) return;
      await push.send(request.event.requestContext.connectionId, event);
      request.response = { statusCode: 200 };
    },
  };
}
