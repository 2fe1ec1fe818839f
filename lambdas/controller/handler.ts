import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { z } from 'zod';
import { createPushChannel, createSessionStore } from '../../shared/adapters/aws-clients.js';
import { createCandidateSourceChain } from '../../shared/adapters/llm/index.js';
import { loadLlmSecrets } from '../../shared/adapters/secrets/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { createOfflineCandidateSource } from '../../shared/kinds/fix/offline/index.js';
import { prepareRound } from '../../shared/kinds/fix/use-cases/prepare-round.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';

const config = readAppConfig(process.env);
// In AWS the model keys live in Secrets Manager; locally they come from the environment.
const secrets = config.LLM_SECRET_ARN
  ? await loadLlmSecrets(config.LLM_SECRET_ARN, new SecretsManagerClient({ region: config.AWS_REGION }))
  : {};
const llmConfig = readLlmConfig({ ...process.env, ...secrets });
const deps = {
  store: createSessionStore(config),
  push: createPushChannel(config),
  log: eventLog,
  source: createCandidateSourceChain(llmConfig, { offline: createOfflineCandidateSource(), logger }),
};

const input = z.object({ sessionId: z.string().min(1), round: z.number().int().min(1).max(3) });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const request = input.parse(event);
    logForSession(request.sessionId);
    const prepared = await prepareRound(deps, request);
    logger.info('round prepared', { round: prepared.round, items: prepared.items.length });
    return prepared;
  });
