import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../observability/logger.js';
import { httpErrorResponse, refusalOf } from './refusal.js';

/** Answers whatever the HTTP API's handler threw, as `refusalOf` says; a fault of ours is logged whole. */
export function httpErrorMiddleware(): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return {
    onError: async (request) => {
      const refused = refusalOf(request.error);
      // A refused request is the client's mistake, not ours: one line, no stack.
      if (refused) logger.info('request refused', { statusCode: refused.statusCode, ...refused.body });
      else logger.error('request failed', request.error as Error);
      request.response = httpErrorResponse(request.error);
    },
  };
}
