import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import {
  createPushChannel,
  createSessionStore,
  createUserStore,
  createWorkflowStarter,
} from '../../shared/adapters/aws-clients.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readQuotaConfig } from '../../shared/config/auth-config.js';
import { wsErrorMiddleware } from '../../shared/edge/ws-error-middleware.js';
import { logger } from '../../shared/observability/logger.js';
import { logForSession } from '../../shared/observability/session-logging.js';
import { handleWsMessage } from './ws-message.js';

const config = readAppConfig(process.env);
const users = createUserStore(config);
const deps = {
  store: createSessionStore(config),
  push: createPushChannel(config),
  workflow: createWorkflowStarter(config),
  users,
  quota: { users, defaultAllowance: readQuotaConfig(process.env).QUOTA_DAILY },
};

export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(wsErrorMiddleware(deps.push))
  .handler(async (event) => {
    const body =
      event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const { sessionId } = await handleWsMessage(deps, event.requestContext.connectionId, body);
    logForSession(sessionId);
    return { statusCode: 200 };
  });
