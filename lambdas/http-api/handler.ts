import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createSessionStore, createWorkflowStarter } from '../../shared/adapters/aws-clients.js';
import { describeProviders } from '../../shared/adapters/llm/index.js';
import { loadTaskSecret } from '../../shared/adapters/secrets/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { readTaskConfig } from '../../shared/config/task-config.js';
import { UnknownSessionError } from '../../shared/domain/errors.js';
import { parseIdempotencyKey } from '../../shared/domain/idempotency.js';
import { MAX_REQUEST_BODY_BYTES, requestBodyTooLarge } from '../../shared/domain/limits.js';
import { parseJsonText } from '../../shared/domain/request-validation.js';
import { isSessionId } from '../../shared/domain/session-id.js';
import { TASK_NAME } from '../../shared/domain/task-name.js';
import { httpErrorMiddleware } from '../../shared/edge/http-error-middleware.js';
import { UnknownRouteError } from '../../shared/edge/unknown-route-error.js';
import { parseFixRequestText } from '../../shared/kinds/fix/fix-request.js';
import { getFix } from '../../shared/kinds/fix/use-cases/get-fix.js';
import { submitFix } from '../../shared/kinds/fix/use-cases/submit-fix.js';
import { getTaskRound } from '../../shared/kinds/task/use-cases/get-task-round.js';
import { submitTask } from '../../shared/kinds/task/use-cases/submit-task.js';
import { logger } from '../../shared/observability/logger.js';
import { logForSession } from '../../shared/observability/session-logging.js';

const config = readAppConfig(process.env);
const store = createSessionStore(config);
const workflow = createWorkflowStarter(config);
const taskConfig = readTaskConfig(process.env);
// In AWS the task secret lives in Secrets Manager; locally it is TASK_SECRET. Read once, never logged.
const taskSecret = taskConfig.TASK_SECRET_ARN
  ? await loadTaskSecret(taskConfig.TASK_SECRET_ARN, new SecretsManagerClient({ region: config.AWS_REGION }))
  : taskConfig.TASK_SECRET;
const taskDeps = {
  store,
  workflow,
  secret: taskSecret,
  allowLoopbackCallback: taskConfig.TASK_ALLOW_LOOPBACK_CALLBACK,
  budgetMs: taskConfig.TASK_BUDGET_MS,
  notifyDeadlineMs: taskConfig.TASK_NOTIFY_DEADLINE_MS,
  maxAttempts: taskConfig.TASK_MAX_ATTEMPTS,
  rateLimit: {
    failuresPerWindow: taskConfig.TASK_AUTH_FAILURES_PER_WINDOW,
    windowS: taskConfig.TASK_AUTH_WINDOW_S,
  },
};
// What this deployment can do, fixed at cold start; never a key.
const providers = describeProviders(readLlmConfig(process.env));

/** The sandbox's containment as the sandbox function last reported measuring it, not as configured. */
async function health() {
  const [measured, browser] = await Promise.all([
    store.getContainment('python'),
    store.getContainment('browser'),
  ]);
  return {
    status: 'ok',
    providers,
    sandbox: measured?.containment ?? config.SANDBOX_CONTAINMENT ?? 'not measured yet: no candidate has run',
    ...(measured ? { sandboxMeasuredAt: measured.measuredAt } : {}),
    browserSandbox: browser?.containment ?? 'not measured yet: no site has been checked',
    ...(browser ? { browserSandboxMeasuredAt: browser.measuredAt } : {}),
  };
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const SESSION_PATH = /^\/v1\/fixes\/([^/]+)$/;
const TASK_ROUND_PATH = /^\/v1\/tasks\/([^/]+)\/rounds\/([1-9][0-9]{0,5})$/;

/** The body as text, refused past what a Lambda invocation can carry (API Gateway passes up to 10 MB). */
function bodyText(event: APIGatewayProxyEventV2): string | undefined {
  const text =
    event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text && Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BODY_BYTES) {
    throw requestBodyTooLarge();
  }
  return text;
}

async function route(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  if (method === 'GET' && path === '/health') return json(200, await health());
  if (method === 'POST' && path === '/v1/tasks') {
    const accepted = await submitTask(
      taskDeps,
      parseJsonText(bodyText(event)),
      event.requestContext.http.sourceIp,
    );
    const { replayed, ...body } = accepted;
    logForSession(body.sessionId);
    logger.info(replayed ? 'task round replayed for its nonce' : 'task round accepted', {
      task: body.task,
      round: body.round,
    });
    const response = json(200, body);
    if (replayed) response.headers = { ...response.headers, 'idempotent-replayed': 'true' };
    return response;
  }
  const taskRound = TASK_ROUND_PATH.exec(path);
  if (method === 'GET' && taskRound?.[1] && taskRound[2] && TASK_NAME.test(taskRound[1])) {
    return json(200, await getTaskRound({ store }, taskRound[1], Number(taskRound[2])));
  }
  if (method === 'POST' && path === '/v1/fixes') {
    const text = bodyText(event);
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
    if (!isSessionId(sessionId)) throw new UnknownSessionError();
    logForSession(sessionId);
    return json(200, await getFix({ store }, sessionId));
  }
  throw new UnknownRouteError(method, path);
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrorMiddleware())
  .handler(route);
