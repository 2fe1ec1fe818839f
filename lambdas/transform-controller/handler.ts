import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { z } from 'zod';
import {
  createDatasetStore,
  createPushChannel,
  createSessionStore,
} from '../../shared/adapters/aws-clients.js';
import { createTransformSource } from '../../shared/adapters/llm/transform-source-chain.js';
import { loadLlmSecrets } from '../../shared/adapters/secrets/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { checksFromSpec } from '../../shared/kinds/transform/offline/checks.js';
import { prepareTransform } from '../../shared/kinds/transform/use-cases/prepare-transform.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';

const config = readAppConfig(process.env);
// In AWS the model keys live in Secrets Manager; locally they come from the environment.
const secrets = config.LLM_SECRET_ARN
  ? await loadLlmSecrets(config.LLM_SECRET_ARN, new SecretsManagerClient({ region: config.AWS_REGION }))
  : {};
const deps = {
  store: createSessionStore(config),
  datasets: createDatasetStore(config),
  source: createTransformSource(readLlmConfig({ ...process.env, ...secrets })),
  checksFor: checksFromSpec,
  push: createPushChannel(config),
  log: eventLog,
};

const input = z.object({ sessionId: z.string().min(1), round: z.number().int().min(1).max(1) });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const request = input.parse(event);
    logForSession(request.sessionId);
    const prepared = await prepareTransform(deps, request);
    logger.info('transform prepared', { items: prepared.items.length });
    return prepared;
  });
