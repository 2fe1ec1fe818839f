import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { createUserStore } from '../../shared/adapters/aws-clients.js';
import { readTableConfig } from '../../shared/config/auth-config.js';
import { principalFromContext } from '../../shared/edge/authorizer-context.js';
import { logger } from '../../shared/observability/logger.js';

const users = createUserStore(readTableConfig(process.env));

/**
 * `$connect` (after the authorizer proved the caller) binds the connection to its user, once, so
 * every later message on it acts as that user; `$disconnect` forgets it.
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId, eventType } = event.requestContext;
    if (eventType === 'CONNECT') {
      const context = (event.requestContext as { authorizer?: unknown }).authorizer;
      await users.bindConnection(connectionId, principalFromContext(context));
    } else if (eventType === 'DISCONNECT') {
      await users.dropConnection(connectionId);
    }
    return { statusCode: 200 };
  });
