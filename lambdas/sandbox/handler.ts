import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { HttpContentTransfer } from '../../shared/adapters/transfer/http-content-transfer.js';
import { readSandboxConfig } from '../../shared/config/app-config.js';
import { readSandboxPolicies } from '../../shared/config/sandbox-policy-config.js';
import { sandboxInvocationSchema } from '../../shared/domain/sandbox-job.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';
import { runItem } from '../../shared/use-cases/run-item.js';

// The sandbox reaches no store and holds no credentials worth having: what it runs is handed to it.
const config = readSandboxConfig(process.env);
const transfer = new HttpContentTransfer();
// The capability probe runs once per cold start, not per candidate.
const runner = await createLocalSandboxRunner({
  policies: readSandboxPolicies(process.env),
  ...(config.SANDBOX_PYTHON ? { pythonPath: config.SANDBOX_PYTHON } : {}),
  ...(config.SANDBOX_LEVEL ? { level: config.SANDBOX_LEVEL } : {}),
});

/** The containment this process applies, measured by the runner's probe at cold start. */
export const containment = `${runner.capabilities().level} (${runner.capabilities().layers.join(', ')})`;

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const invocation = sandboxInvocationSchema.parse(event);
    const { item } = invocation;
    logForSession(item.sessionId);
    const result = await runItem(
      { runner, transfer, timeoutMs: config.SANDBOX_TIMEOUT_MS, log: eventLog },
      invocation,
    );
    logger.info('item ran', { index: item.index, status: result.status, durationMs: result.durationMs });
    // The result carries the containment this function measured, so /health reports it, not a claim.
    return result;
  });
