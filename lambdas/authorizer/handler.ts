import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { createUserStore } from '../../shared/adapters/aws-clients.js';
import { JwtTokenVerifier } from '../../shared/adapters/identity/jwt-token-verifier.js';
import { readAuthConfig } from '../../shared/config/auth-config.js';
import { UnauthenticatedError } from '../../shared/domain/errors.js';
import { principalContext } from '../../shared/edge/authorizer-context.js';
import { logger } from '../../shared/observability/logger.js';
import { authenticate, bearerCredential } from '../../shared/use-cases/authenticate.js';

const config = readAuthConfig(process.env);
const deps = {
  tokens: new JwtTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    jwksUri: config.AUTH_JWKS_URL,
  }),
  users: createUserStore(config),
};

type AuthorizerEvent = APIGatewayRequestAuthorizerEventV2 | APIGatewayRequestAuthorizerEvent;
type AuthorizerResult =
  | APIGatewaySimpleAuthorizerWithContextResult<Record<string, string>>
  | APIGatewayAuthorizerResult;

/**
 * API Gateway answers `401 {"message":"Unauthorized"}` when an authorizer fails with exactly this
 * message (a Deny would be a 403, which says "known but not allowed"): the caller is not proved.
 */
const UNAUTHORIZED = 'Unauthorized';

/**
 * One authorizer for both APIs: the HTTP API's routes (payload 2.0, simple responses, the
 * `Authorization: Bearer` header) and the WebSocket API's `$connect` (an IAM policy, the `token`
 * query parameter, since browsers cannot set headers on a WebSocket). Either credential kind works:
 * an ID token or an API key.
 */
export const handler = middy<AuthorizerEvent, AuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const webSocket = !('routeArn' in event);
    const credential = webSocket
      ? (event as APIGatewayRequestAuthorizerEvent).queryStringParameters?.token
      : bearerCredential(event.headers?.authorization ?? event.headers?.Authorization);
    let context: Record<string, string>;
    try {
      context = principalContext(await authenticate(deps, credential ?? undefined));
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        // Never the credential itself; only why it was refused.
        logger.info('credential refused', { reason: error.message, webSocket });
        throw new Error(UNAUTHORIZED);
      }
      throw error;
    }
    if (!webSocket) return { isAuthorized: true, context };
    const { methodArn } = event as APIGatewayRequestAuthorizerEvent;
    return {
      principalId: context.userId as string,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
      },
      context,
    };
  });
