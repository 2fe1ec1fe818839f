import { Readable } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createDatasetStore, createUserStore } from '../../shared/adapters/aws-clients.js';
import { JwtTokenVerifier } from '../../shared/adapters/identity/jwt-token-verifier.js';
import { createTransformSource } from '../../shared/adapters/llm/transform-source-chain.js';
import { loadLlmSecrets } from '../../shared/adapters/secrets/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readAuthConfig } from '../../shared/config/auth-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { parseJsonText } from '../../shared/domain/request-validation.js';
import { httpErrorMiddleware } from '../../shared/edge/http-error-middleware.js';
import { matchRoute } from '../../shared/edge/routes.js';
import { SSE_HEADERS, sseEvents } from '../../shared/edge/sse.js';
import { UnknownRouteError } from '../../shared/edge/unknown-route-error.js';
import { streamText } from '../../shared/kinds/transform/use-cases/stream-text.js';
import { logger } from '../../shared/observability/logger.js';
import { authenticate, bearerCredential } from '../../shared/use-cases/authenticate.js';

/*
 * The two text streams, served from a Lambda function URL in RESPONSE_STREAM mode: API Gateway
 * buffers a function's whole response, so a stream cannot go through it. A function URL has no
 * authorizer in front of it, so this function checks the bearer itself, with the same use case
 * the authorizer runs.
 */
const config = readAppConfig(process.env);
const auth = readAuthConfig(process.env);
const secrets = config.LLM_SECRET_ARN
  ? await loadLlmSecrets(config.LLM_SECRET_ARN, new SecretsManagerClient({ region: config.AWS_REGION }))
  : {};
const users = createUserStore(config);
const tokens = new JwtTokenVerifier({
  issuer: auth.AUTH_ISSUER,
  audience: auth.AUTH_AUDIENCE,
  jwksUri: auth.AUTH_JWKS_URL,
});
const deps = {
  datasets: createDatasetStore(config),
  source: createTransformSource(readLlmConfig({ ...process.env, ...secrets })),
};

export const handler = middy<APIGatewayProxyEventV2>({ streamifyResponse: true })
  .use(httpErrorMiddleware())
  .handler(async (event) => {
    const method = event.requestContext.http.method;
    const matched = matchRoute(method, event.rawPath);
    const what =
      matched?.route.path === '/v1/transforms/refine'
        ? 'refine'
        : matched?.route.path === '/v1/transforms/generate'
          ? 'generate'
          : undefined;
    if (!what) throw new UnknownRouteError(method, event.rawPath);
    const caller = await authenticate({ tokens, users }, bearerCredential(event.headers?.authorization));
    const text =
      event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const chunks = await streamText(deps, what, parseJsonText(text), caller);
    logger.info('text stream started', { what });
    const body = Readable.from(
      sseEvents(chunks, (error) => logger.error('text stream failed', { what, error: String(error) })),
    );
    return { statusCode: 200, headers: { ...SSE_HEADERS }, body };
  });
