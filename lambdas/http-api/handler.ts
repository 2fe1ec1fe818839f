import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createSessionStore, createWorkflowStarter } from '../../shared/adapters/aws-clients.js';
import { describeProviders } from '../../shared/adapters/llm/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { parseFixRequestText } from '../../shared/domain/fix-request.js';
import { parseIdempotencyKey } from '../../shared/domain/idempotency.js';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/domain/limits.js';
import { isSessionId } from '../../shared/domain/session-id.js';
import { HttpError, NotFoundError, PayloadTooLargeError } from '../../shared/errors/http-errors.js';
import { logger } from '../../shared/observability/logger.js';
import { logForSession } from '../../shared/observability/session-logging.js';
import { getFix } from '../../shared/use-cases/get-fix.js';
import { submitFix } from '../../shared/use-cases/submit-fix.js';

const config = readAppConfig(process.env);
const store = createSessionStore(config);
const workflow = createWorkflowStarter(config);
// What this deployment can do, fixed at cold start; never a key.
const providers = describeProviders(readLlmConfig(process.env));

/** The sandbox's containment as the sandbox function last reported measuring it, not as configured. */
async function health() {
  const measured = await store.getContainment();
  return {
    status: 'ok',
    providers,
    sandbox: measured?.containment ?? config.SANDBOX_CONTAINMENT ?? 'not measured yet: no candidate has run',
    ...(measured ? { sandboxMeasuredAt: measured.measuredAt } : {}),
  };
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const SESSION_PATH = /^\/v1\/fixes\/([^/]+)$/;

async function route(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  if (method === 'GET' && path === '/health') return json(200, await health());
  if (method === 'POST' && path === '/v1/fixes') {
    const text =
      event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    // API Gateway passes up to 10 MB; past this the invocation itself would be refused.
    if (text && Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BODY_BYTES) {
      throw new PayloadTooLargeError('the request body exceeds 2.5 MiB', 'body');
    }
    const idempotencyKey = parseIdempotencyKey(event.headers?.['idempotency-key']);
    const problem = parseFixRequestText(text);
    const { replayed, ...accepted } = await submitFix({ store, workflow }, problem, {
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    logForSession(accepted.sessionId);
    logger.info(replayed ? 'fix replayed for its idempotency key' : 'fix accepted', {
      candidates: problem.candidates?.length ?? 0,
      hasTest: problem.test !== undefined,
    });
    const response = json(202, accepted);
    if (replayed) response.headers = { ...response.headers, 'idempotent-replayed': 'true' };
    return response;
  }
  const match = SESSION_PATH.exec(path);
  if (method === 'GET' && match?.[1]) {
    const sessionId = match[1];
    if (!isSessionId(sessionId)) throw new NotFoundError('no such session');
    logForSession(sessionId);
    return json(200, await getFix({ store }, sessionId));
  }
  throw new NotFoundError(`no route for ${method} ${path}`);
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(
    httpErrorHandler({
      // A refused request is the client's mistake, not ours: one line, no stack.
      logger: (error: unknown) => {
        if (error instanceof HttpError)
          logger.info('request refused', { statusCode: error.statusCode, ...error.body });
        else logger.error('request failed', error as Error);
      },
      fallbackMessage: JSON.stringify({ error: 'internal error' }),
    }),
  )
  .handler(route);
