import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  createDatasetStore,
  createSessionStore,
  createUserStore,
  createWorkflowStarter,
} from '../../shared/adapters/aws-clients.js';
import { describeProviders } from '../../shared/adapters/llm/index.js';
import { loadTaskSecret } from '../../shared/adapters/secrets/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readQuotaConfig } from '../../shared/config/auth-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { readTaskConfig } from '../../shared/config/task-config.js';
import { NotFoundError, UnknownSessionError } from '../../shared/domain/errors.js';
import { parseIdempotencyKey } from '../../shared/domain/idempotency.js';
import {
  fileTooLarge,
  MAX_DIRECT_UPLOAD_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MULTIPART_OVERHEAD_BYTES,
  requestBodyTooLarge,
} from '../../shared/domain/limits.js';
import { parseJsonText } from '../../shared/domain/request-validation.js';
import { isSessionId } from '../../shared/domain/session-id.js';
import { TASK_NAME } from '../../shared/domain/task-name.js';
import { httpPrincipal } from '../../shared/edge/authorizer-context.js';
import { httpErrorMiddleware } from '../../shared/edge/http-error-middleware.js';
import { multipartFile } from '../../shared/edge/multipart-file.js';
import { matchRoute } from '../../shared/edge/routes.js';
import { UnknownRouteError } from '../../shared/edge/unknown-route-error.js';
import { parseFixRequestText } from '../../shared/kinds/fix/fix-request.js';
import { getFix } from '../../shared/kinds/fix/use-cases/get-fix.js';
import { submitFix } from '../../shared/kinds/fix/use-cases/submit-fix.js';
import { getTaskRound } from '../../shared/kinds/task/use-cases/get-task-round.js';
import { submitTask } from '../../shared/kinds/task/use-cases/submit-task.js';
import { parseTransformRequest } from '../../shared/kinds/transform/transform-request.js';
import { parseDatasetFromUpload, parseUploadRequest } from '../../shared/kinds/transform/upload-request.js';
import { getTransform, getTransformOutput } from '../../shared/kinds/transform/use-cases/get-transform.js';
import { datasetFromUpload, requestUpload } from '../../shared/kinds/transform/use-cases/presigned-upload.js';
import { submitTransform } from '../../shared/kinds/transform/use-cases/submit-transform.js';
import { datasetView, uploadDataset } from '../../shared/kinds/transform/use-cases/upload-dataset.js';
import { logger } from '../../shared/observability/logger.js';
import { logForSession } from '../../shared/observability/session-logging.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../shared/use-cases/api-keys.js';
import { listMySessions } from '../../shared/use-cases/history.js';
import { readQuota } from '../../shared/use-cases/quota.js';
import { accessibleSession } from '../../shared/use-cases/session-access.js';
import { getSharedView, shareSession, unshareSession } from '../../shared/use-cases/share.js';

const config = readAppConfig(process.env);
const store = createSessionStore(config);
const workflow = createWorkflowStarter(config);
const users = createUserStore(config);
const datasets = createDatasetStore(config);
const quota = { users, defaultAllowance: readQuotaConfig(process.env).QUOTA_DAILY };
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

const noContent = (): APIGatewayProxyStructuredResultV2 => ({ statusCode: 204, body: '' });
const ROUND = /^[1-9][0-9]{0,5}$/;

/** The body as text, refused past what a Lambda invocation can carry (API Gateway passes up to 10 MB). */
function bodyText(event: APIGatewayProxyEventV2): string | undefined {
  const text =
    event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text && Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BODY_BYTES) {
    throw requestBodyTooLarge();
  }
  return text;
}

/** The body as bytes, refused past what a direct upload may be (API Gateway passes binary bodies base64-encoded). */
function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_DIRECT_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES) throw fileTooLarge();
  return bytes;
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\b/i.test(contentType?.trim() ?? '');
}

/** The routes of `shared/edge/routes.ts`, each answered by one use case. */
async function route(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const matched = matchRoute(method, path);
  if (!matched) throw new UnknownRouteError(method, path);
  const { params } = matched;
  const key = `${matched.route.method} ${matched.route.path}`;

  // The routes without a user: health, a share link's view, and the evaluator's (its shared secret).
  if (key === 'GET /health') return json(200, await health());
  if (key === 'GET /v1/shared/{token}') {
    return json(200, await getSharedView({ store, users }, params.token ?? ''));
  }
  if (key === 'POST /v1/tasks') {
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

  // Every other route has the authorizer in front of it: its context names the caller.
  const principal = httpPrincipal(event);
  switch (key) {
    case 'GET /v1/me':
      return json(200, {
        user: {
          id: principal.userId,
          ...(principal.name === undefined ? {} : { name: principal.name }),
          ...(principal.email === undefined ? {} : { email: principal.email }),
        },
        via: principal.via,
        quota: await readQuota(quota, principal.userId),
      });
    case 'POST /v1/keys':
      return json(201, await createApiKey(users, principal, parseJsonText(bodyText(event))));
    case 'GET /v1/keys':
      return json(200, await listApiKeys(users, principal));
    case 'DELETE /v1/keys/{keyId}':
      await revokeApiKey(users, principal, params.keyId ?? '');
      return noContent();
    case 'POST /v1/fixes': {
      const text = bodyText(event);
      const idempotencyKey = parseIdempotencyKey(event.headers?.['idempotency-key']);
      const problem = parseFixRequestText(text);
      const { replayed, ...accepted } = await submitFix({ store, workflow, quota }, problem, {
        owner: principal,
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
    case 'GET /v1/fixes':
      return json(200, await listMySessions(store, principal, event.queryStringParameters ?? {}));
    case 'GET /v1/fixes/{sessionId}': {
      const sessionId = params.sessionId ?? '';
      if (!isSessionId(sessionId)) throw new UnknownSessionError();
      logForSession(sessionId);
      const meta = await accessibleSession(store, principal, sessionId);
      const view = await getFix({ store }, sessionId);
      return json(200, meta.shareToken ? { ...view, shareToken: meta.shareToken } : view);
    }
    case 'POST /v1/fixes/{sessionId}/share': {
      const sessionId = params.sessionId ?? '';
      if (!isSessionId(sessionId)) throw new UnknownSessionError();
      return json(201, await shareSession({ store, users }, principal, sessionId));
    }
    case 'DELETE /v1/fixes/{sessionId}/share': {
      const sessionId = params.sessionId ?? '';
      if (!isSessionId(sessionId)) throw new UnknownSessionError();
      await unshareSession({ store, users }, principal, sessionId);
      return noContent();
    }
    case 'GET /v1/tasks/{task}/rounds/{round}': {
      const task = params.task ?? '';
      const round = params.round ?? '';
      if (!TASK_NAME.test(task) || !ROUND.test(round)) throw new NotFoundError('no such task round');
      return json(200, await getTaskRound({ store }, task, Number(round)));
    }
    case 'POST /v1/datasets/uploads': {
      const grant = await requestUpload(
        { datasets },
        parseUploadRequest(parseJsonText(bodyText(event))),
        principal,
      );
      logger.info('upload presigned', { uploadId: grant.uploadId, bytes: grant.upload.maxBytes });
      return json(201, grant);
    }
    case 'POST /v1/datasets': {
      const ingest = { datasets, ttlHours: config.DATASET_TTL_HOURS };
      // A JSON body names a file sent by presigned upload; anything else is the file itself.
      const dataset = isJson(event.headers?.['content-type'])
        ? await datasetFromUpload(ingest, parseDatasetFromUpload(parseJsonText(bodyText(event))), principal)
        : await uploadDataset(
            ingest,
            {
              ...(await multipartFile(bodyBytes(event), event.headers?.['content-type'])),
              ...(event.queryStringParameters?.sheet === undefined
                ? {}
                : { sheet: event.queryStringParameters.sheet }),
            },
            principal,
          );
      logger.info('dataset stored', {
        format: dataset.format,
        rows: dataset.rows,
        columns: dataset.columns.length,
      });
      return json(201, dataset);
    }
    case 'GET /v1/datasets/{datasetId}': {
      const meta = await datasets.getMeta(params.datasetId ?? '');
      if (!meta || meta.owner !== principal.userId) throw new NotFoundError('no such dataset');
      return json(200, datasetView(meta));
    }
    case 'POST /v1/transforms': {
      const problem = parseTransformRequest(parseJsonText(bodyText(event)));
      const accepted = await submitTransform({ store, datasets, workflow, quota }, problem, principal);
      logForSession(accepted.jobId);
      logger.info('transform accepted', {
        from: problem.code ? 'code' : problem.spec ? 'spec' : 'instruction',
      });
      return json(202, accepted);
    }
    case 'GET /v1/transforms/{jobId}': {
      const jobId = params.jobId ?? '';
      if (!isSessionId(jobId)) throw new NotFoundError('no such transform job');
      await accessibleSession(store, principal, jobId);
      return json(200, await getTransform({ store }, jobId));
    }
    case 'GET /v1/transforms/{jobId}/output.csv': {
      const jobId = params.jobId ?? '';
      if (!isSessionId(jobId)) throw new NotFoundError('no such transform job');
      await accessibleSession(store, principal, jobId);
      const output = await getTransformOutput({ store }, jobId);
      if ('url' in output) return { statusCode: 302, headers: { location: output.url }, body: '' };
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${output.filename}"`,
        },
        body: output.csv,
      };
    }
  }
  throw new UnknownRouteError(method, path);
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrorMiddleware())
  .handler(route);
