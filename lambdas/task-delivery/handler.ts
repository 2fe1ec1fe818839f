import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { z } from 'zod';
import { createPushChannel, createSessionStore } from '../../shared/adapters/aws-clients.js';
import { loadLlmSecrets } from '../../shared/adapters/secrets/index.js';
import { createTaskPublisher } from '../../shared/adapters/task-publisher.js';
import { createFetchWebClient } from '../../shared/adapters/web/fetch-web-client.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readDeliveryConfig } from '../../shared/config/delivery-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { readTaskConfig } from '../../shared/config/task-config.js';
import { runResultSchema } from '../../shared/domain/sandbox-job.js';
import type { DeliveryDeps } from '../../shared/kinds/task/delivery.js';
import { awaitPreviousRound } from '../../shared/kinds/task/use-cases/await-previous-round.js';
import { checkPages } from '../../shared/kinds/task/use-cases/check-pages.js';
import { fetchLiveSite } from '../../shared/kinds/task/use-cases/fetch-live-site.js';
import { finishTaskRound } from '../../shared/kinds/task/use-cases/finish-task-round.js';
import { notifyEvaluator } from '../../shared/kinds/task/use-cases/notify-evaluator.js';
import { publishTaskRound } from '../../shared/kinds/task/use-cases/publish-task-round.js';
import { recordLiveCheck } from '../../shared/kinds/task/use-cases/record-live-check.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';

const config = readAppConfig(process.env);
const delivery = readDeliveryConfig(process.env);
const taskConfig = readTaskConfig(process.env);
// The model keys are scanned for before any push: in AWS they live in Secrets Manager.
const llmSecrets = config.LLM_SECRET_ARN
  ? await loadLlmSecrets(config.LLM_SECRET_ARN, new SecretsManagerClient({ region: config.AWS_REGION }))
  : {};
const llm = readLlmConfig({ ...process.env, ...llmSecrets });
const keys = [
  { name: 'GEMINI_API_KEY', value: llm.gemini.apiKey },
  { name: 'GROQ_API_KEY', value: llm.groq.apiKey },
  { name: 'DEEPSEEK_API_KEY', value: llm.deepseek.apiKey },
  { name: 'TASK_SECRET', value: taskConfig.TASK_SECRET },
].flatMap(({ name, value }) => (value ? [{ name, value }] : []));

const deps: DeliveryDeps = {
  store: createSessionStore(config),
  push: createPushChannel(config),
  log: eventLog,
  publisher: createTaskPublisher({ delivery, region: config.AWS_REGION, keys }),
  web: createFetchWebClient(),
  settings: {
    notifyReserveMs: delivery.TASK_NOTIFY_RESERVE_MS,
    notifyTimeoutMs: delivery.TASK_NOTIFY_TIMEOUT_MS,
    liveFetchTimeoutMs: delivery.TASK_LIVE_FETCH_TIMEOUT_MS,
  },
};

const sessionId = z.string().min(1).max(100);
const stateError = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough();
const input = z.discriminatedUnion('action', [
  z.object({ action: z.literal('await-previous'), sessionId }),
  z.object({ action: z.literal('publish'), sessionId }),
  z.object({ action: z.literal('pages-status'), sessionId }),
  z.object({ action: z.literal('fetch-live'), sessionId }),
  z.object({
    action: z.literal('record-live'),
    sessionId,
    live: z
      .object({
        mismatched: z.array(z.string()).optional(),
        outcome: z.object({ result: runResultSchema }).optional(),
      })
      .passthrough()
      .optional(),
    error: stateError.optional(),
  }),
  z.object({ action: z.literal('notify'), sessionId }),
  z.object({ action: z.literal('finish'), sessionId, error: stateError.optional() }),
]);

/** The task round's delivery: one action per state of the task state machine after the judge. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const request = input.parse(event);
    logForSession(request.sessionId);
    switch (request.action) {
      case 'await-previous':
        return awaitPreviousRound({ ...deps, notifyReserveMs: delivery.TASK_NOTIFY_RESERVE_MS }, request);
      case 'publish':
        return publishTaskRound(deps, request);
      case 'pages-status':
        return checkPages(deps, request);
      case 'fetch-live':
        return fetchLiveSite(deps, request);
      case 'record-live':
        return recordLiveCheck(deps, {
          sessionId: request.sessionId,
          ...(request.live?.mismatched ? { mismatched: request.live.mismatched } : {}),
          ...(request.live?.outcome ? { result: request.live.outcome.result } : {}),
          ...(request.error ? { error: request.error } : {}),
        });
      case 'notify':
        return notifyEvaluator(deps, request);
      case 'finish':
        return finishTaskRound(deps, request);
    }
  });
