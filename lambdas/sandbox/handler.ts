import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { createSessionStore } from '../../shared/adapters/aws-clients.js';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readSandboxPolicies } from '../../shared/config/sandbox-policy-config.js';
import { logger } from '../../shared/observability/logger.js';
import { logForSession } from '../../shared/observability/session-logging.js';
import { runItem } from '../../shared/use-cases/run-item.js';

const config = readAppConfig(process.env);
const store = createSessionStore(config);
// The capability probe runs once per cold start, not per candidate.
const runner = await createLocalSandboxRunner({
  policies: readSandboxPolicies(process.env),
  ...(config.SANDBOX_PYTHON ? { pythonPath: config.SANDBOX_PYTHON } : {}),
  ...(config.SANDBOX_LEVEL ? { level: config.SANDBOX_LEVEL } : {}),
});

const input = z.object({
  sessionId: z.string().min(1),
  round: z.number().int().min(1),
  index: z.number().int().min(0),
  role: z.enum(['baseline', 'candidate']),
});

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const item = input.parse(event);
    logForSession(item.sessionId);
    const verdict = await runItem({ store, runner, timeoutMs: config.SANDBOX_TIMEOUT_MS }, item);
    logger.info('item ran', { index: item.index, status: verdict.status, durationMs: verdict.durationMs });
    return verdict;
  });

/** The containment this process applies, for the local stack's /health. */
export const containment = `${runner.capabilities().level} (${runner.capabilities().layers.join(', ')})`;
