import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { z } from 'zod';
import { createPushChannel, createSessionStore } from '../../shared/adapters/aws-clients.js';
import { createCandidateSourceChain } from '../../shared/adapters/llm/index.js';
import { loadLlmSecrets } from '../../shared/adapters/secrets/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import { searchJobSchema, searchStateSchema } from '../../shared/domain/search-job.js';
import { createOfflineCandidateSource } from '../../shared/kinds/fix/offline/index.js';
import { continueSearch } from '../../shared/kinds/fix/use-cases/continue-search.js';
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
  ...(config.REPAIR_SEARCH === 'on'
    ? {
        search: {
          maxMutants: config.REPAIR_SEARCH_MAX_MUTANTS,
          timeMs: config.REPAIR_SEARCH_TIME_MS,
          sliceMs: config.REPAIR_SEARCH_SLICE_MS,
        },
      }
    : {}),
};

const place = { sessionId: z.string().min(1), round: z.number().int().min(1).max(3) };
/** A round to prepare, or (after a search batch) the state the batch left: its answer or its error. */
const input = z.union([
  z.object(place),
  z.object({
    action: z.literal('searched'),
    state: z.object({
      ...place,
      search: searchJobSchema,
      searched: z.object({ state: searchStateSchema }).optional(),
      searchError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
    }),
  }),
]);

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const request = input.parse(event);
    if ('action' in request) {
      const { state } = request;
      logForSession(state.sessionId);
      const next = await continueSearch(deps, {
        sessionId: state.sessionId,
        round: state.round,
        search: state.search,
        ...(state.searched ? { state: state.searched.state } : {}),
        ...(state.searchError ? { error: state.searchError } : {}),
      });
      logger.info(next.search ? 'search goes on' : 'round prepared', {
        round: next.round,
        items: next.items.length,
      });
      return next;
    }
    logForSession(request.sessionId);
    const prepared = await prepareRound(deps, request);
    logger.info(prepared.search ? 'search starts' : 'round prepared', {
      round: prepared.round,
      items: prepared.items.length,
    });
    return prepared;
  });
