import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { browserLevelFor, createBrowserRunner } from '../../shared/adapters/sandbox/browser/index.js';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { HttpContentTransfer } from '../../shared/adapters/transfer/http-content-transfer.js';
import { readSandboxConfig } from '../../shared/config/app-config.js';
import { readSandboxPolicies } from '../../shared/config/sandbox-policy-config.js';
import { MAX_TRANSFORM_OUTPUT_BYTES } from '../../shared/domain/limits.js';
import {
  isSearchInvocation,
  isSiteInvocation,
  isTransformInvocation,
  sandboxInvocationSchema,
} from '../../shared/domain/sandbox-job.js';
import { loadSearchScripts } from '../../shared/kinds/fix/search/search-scripts.js';
import { runItem } from '../../shared/kinds/fix/use-cases/run-item.js';
import { runSearchBatch } from '../../shared/kinds/fix/use-cases/run-search-batch.js';
import { runSiteItem } from '../../shared/kinds/task/use-cases/run-site-item.js';
import { runTransformItem } from '../../shared/kinds/transform/use-cases/run-transform-item.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';
import type { BrowserRunner } from '../../shared/ports/browser-runner.js';

// The sandbox reaches no store and holds no credentials worth having: what it runs is handed to it.
const config = readSandboxConfig(process.env);
const transfer = new HttpContentTransfer();
// The capability probe runs once per cold start, not per candidate.
const runner = await createLocalSandboxRunner({
  policies: readSandboxPolicies(process.env),
  ...(config.SANDBOX_PYTHON ? { pythonPath: config.SANDBOX_PYTHON } : {}),
  ...(config.SANDBOX_LEVEL ? { level: config.SANDBOX_LEVEL } : {}),
});

const searchScripts = await loadSearchScripts();

/** The containment this process applies, measured by the runner's probe at cold start. */
export const containment = `${runner.capabilities().level} (${runner.capabilities().layers.join(', ')})`;

// The browser starts with the first site job, so a process that only runs fixes never pays for its
// probe; concurrent first jobs share one start. A start that failed is tried again by the next job.
// SANDBOX_LEVEL forces the browser's containment too (`process` is the same level in both).
const browserLevel = browserLevelFor(config.SANDBOX_LEVEL);
let browser: Promise<BrowserRunner> | undefined;
function startedBrowser(): Promise<BrowserRunner> {
  browser ??= createBrowserRunner({
    chromiumPath: config.SANDBOX_CHROMIUM,
    ...(browserLevel ? { level: browserLevel } : {}),
    // The image's Python has the libseccomp binding the filter is compiled with.
    ...(config.SANDBOX_PYTHON ? { pythonPaths: [config.SANDBOX_PYTHON] } : {}),
  }).catch((error: unknown) => {
    browser = undefined;
    throw error;
  });
  return browser;
}

/** Kills every browser still running; the host calls it before the process exits. */
export async function close(): Promise<void> {
  const started = await browser?.catch(() => undefined);
  await started?.close();
}

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const invocation = sandboxInvocationSchema.parse(event);
    if (isSearchInvocation(invocation)) {
      const { search } = invocation;
      logForSession(search.sessionId);
      const state = await runSearchBatch({ runner, transfer, scripts: searchScripts }, search);
      logger.info('search batch ran', {
        round: search.round,
        tried: state.tried,
        patches: state.patches.length,
        stopped: state.stopped ?? null,
        spentMs: state.spentMs,
      });
      return state;
    }
    const { item } = invocation;
    logForSession(item.sessionId);
    const kind = isSiteInvocation(invocation)
      ? 'site'
      : isTransformInvocation(invocation)
        ? 'transform'
        : 'fix';
    const result = isSiteInvocation(invocation)
      ? await runSiteItem(
          { browser: startedBrowser, transfer, timeoutMs: config.SANDBOX_BROWSER_TIMEOUT_MS },
          invocation,
        )
      : isTransformInvocation(invocation)
        ? await runTransformItem(
            {
              runner,
              transfer,
              timeoutMs: config.SANDBOX_TRANSFORM_TIMEOUT_MS,
              log: eventLog,
              maxOutputBytes: MAX_TRANSFORM_OUTPUT_BYTES,
            },
            invocation,
          )
        : await runItem(
            { runner, transfer, timeoutMs: config.SANDBOX_TIMEOUT_MS, log: eventLog },
            invocation,
          );
    logger.info('item ran', {
      kind,
      index: item.index,
      status: result.status,
      durationMs: result.durationMs,
    });
    // The result carries the containment this function measured, so /health reports it, not a claim.
    return result;
  });
