import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import {
  createDatasetStore,
  createPushChannel,
  createSessionStore,
} from '../../shared/adapters/aws-clients.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { checksFromSpec } from '../../shared/kinds/transform/offline/checks.js';
import { OfflineTransformSource } from '../../shared/kinds/transform/offline/offline-transform-source.js';
import { prepareTransform } from '../../shared/kinds/transform/use-cases/prepare-transform.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';

const config = readAppConfig(process.env);
const deps = {
  store: createSessionStore(config),
  datasets: createDatasetStore(config),
  source: new OfflineTransformSource(),
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
