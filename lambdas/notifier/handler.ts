import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { createPushChannel, createSessionStore, createUserStore } from '../../shared/adapters/aws-clients.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import { readTaskConfig } from '../../shared/config/task-config.js';
import { runResultSchema } from '../../shared/domain/sandbox-job.js';
import { caughtMessage } from '../../shared/domain/state-error.js';
import { judgeRound } from '../../shared/kinds/fix/use-cases/judge-round.js';
import { judgeTaskRound } from '../../shared/kinds/task/use-cases/judge-task-round.js';
import { judgeTransform } from '../../shared/kinds/transform/use-cases/judge-transform.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog, logForSession } from '../../shared/observability/session-logging.js';
import type { SandboxRunnerKind } from '../../shared/ports/session-store.js';
import { failSession } from '../../shared/use-cases/fail-session.js';
import { type ReportedItem, reportCandidate } from '../../shared/use-cases/report-candidate.js';

const config = readAppConfig(process.env);
const store = createSessionStore(config);
// A warm notifier writes each runner's containment only when it changes (a new cold start may differ).
const lastContainment: Partial<Record<SandboxRunnerKind, string>> = {};
const deps = {
  store,
  push: createPushChannel(config),
  users: createUserStore(config),
  log: eventLog,
  containment: async (runner: SandboxRunnerKind, measured: string) => {
    if (measured === lastContainment[runner]) return;
    await store.recordContainment(runner, measured, new Date().toISOString());
    lastContainment[runner] = measured;
  },
};

const taskConfig = readTaskConfig(process.env);

/** What the reporter needs of a Map item, of either kind (a fix's program or a task's site). */
const reportedItemSchema = z.object({
  sessionId: z.string().min(1),
  round: z.number().int().min(1),
  index: z.number().int().min(0),
  role: z.enum(['baseline', 'candidate']),
  source: z.string().max(100).optional(),
});

const stateError = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough();
const input = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('candidate'),
    // The Map iteration's whole state: the item (and the run it shared), then the sandbox's result or the Catch's error.
    item: z.object({
      item: reportedItemSchema,
      outcome: z.object({ result: runResultSchema }).optional(),
      error: stateError.optional(),
    }),
  }),
  z.object({ action: z.literal('judge'), sessionId: z.string(), round: z.number().int() }),
  z.object({ action: z.literal('judge-task'), sessionId: z.string(), round: z.number().int() }),
  z.object({ action: z.literal('judge-transform'), sessionId: z.string(), round: z.number().int() }),
  z.object({ action: z.literal('fail'), sessionId: z.string(), error: stateError.optional() }),
]);

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    const request = input.parse(event);
    switch (request.action) {
      case 'candidate':
        logForSession(request.item.item.sessionId);
        return reportCandidate(deps, request.item as ReportedItem);
      case 'judge':
        logForSession(request.sessionId);
        return judgeRound(deps, request);
      case 'judge-task':
        logForSession(request.sessionId);
        return judgeTaskRound({ ...deps, attemptReserveMs: taskConfig.TASK_ATTEMPT_RESERVE_MS }, request);
      case 'judge-transform':
        logForSession(request.sessionId);
        return judgeTransform(deps, request);
      case 'fail': {
        logForSession(request.sessionId);
        // Our functions' messages are written for the client (a revise with no round to build on, …).
        const said = request.error?.Cause ? `: ${caughtMessage(request.error).slice(0, 300)}` : '';
        const reason = `the workflow failed: ${request.error?.Error ?? 'unknown error'}${said}`;
        logger.error('session failed', { cause: request.error?.Cause });
        await failSession(deps, { sessionId: request.sessionId, reason });
        return { sessionId: request.sessionId, status: 'failed' };
      }
    }
  });
