import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { createSessionStore } from '../../shared/adapters/aws-clients.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { logger } from '../../shared/observability/logger.js';

const store = createSessionStore(readAppConfig(process.env));

export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    await store.forgetConnection(event.requestContext.connectionId);
    return { statusCode: 200 };
  });
