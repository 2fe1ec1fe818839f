import './quiet-logs.js';
import './process-defaults.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';
import { proveDelivery, repoPathOf } from './delivery-proof.js';
import { readExampleTask, type TaskBody, taskBody } from './example-task.js';
import { followTaskRound } from './follow-task-round.js';
import { LocalEvaluator } from './local-evaluator.js';
import { type LocalStack, startLocalStack } from './local-stack.js';
import { eventLine, proofLines, roundReport } from './task-printer.js';

/*
 * An evaluator's task end to end: starts the local stack in this process with a throwaway data dir
 * and a local evaluator on loopback, posts the bundled task, follows it live over the WebSocket,
 * prints the round's checks, publication and notifications, then checks the delivery for itself
 * (the evaluator's receipt, the repository's HEAD, what the pages URL serves). It exits 0 only if
 * the evaluator accepted a matching notification and all of that holds.
 */
const EXAMPLE = fileURLToPath(new URL('./examples/task-sales.json', import.meta.url));
/** Well past a round's offline run (well under a minute), and within the evaluator's 10-minute deadline. */
const TIMEOUT_MS = 5 * 60 * 1000;
/** Closing the stack aborts its executions; if even that hangs, the demo still ends. */
const CLOSE_GRACE_MS = 30_000;

class DemoStoppedError extends Error {
  override readonly name = 'DemoStoppedError';
}

const dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-demo-task-'));
let stack: LocalStack | undefined;
let evaluator: LocalEvaluator | undefined;
let stopFollowing = () => {};
let stopTimer: NodeJS.Timeout | undefined;
// The timeout and Ctrl-C end the run the same way: the clean-up below still runs.
const stopped = new Promise<never>((_, reject) => {
  stopTimer = setTimeout(
    () => reject(new DemoStoppedError(`timed out: no verdict within ${TIMEOUT_MS / 60_000} minutes`)),
    TIMEOUT_MS,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => reject(new DemoStoppedError(`stopped by ${signal}`)));
});

let status = 1;
try {
  status = await Promise.race([demo(), stopped]);
} catch (error) {
  console.error(`\ndemo-task: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  clearTimeout(stopTimer);
  stopFollowing();
  const forced = setTimeout(() => {
    console.error('demo-task: the local stack did not close in time');
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(1);
  }, CLOSE_GRACE_MS);
  forced.unref();
  await stack?.close();
  await evaluator?.close();
  await rm(dataDir, { recursive: true, force: true });
  clearTimeout(forced);
}
console.log(
  status === 0
    ? '\ndemo-task: the site was published, proven live and reported to the evaluator'
    : '\ndemo-task: the delivery was not proven',
);
process.exit(status);

async function demo(): Promise<number> {
  const example = await readExampleTask(EXAMPLE);
  const secret = randomBytes(24).toString('base64url');
  const sent = { email: example.email, task: example.task, round: example.round, nonce: randomUUID() };
  evaluator = await LocalEvaluator.start(sent);
  stack = await startLocalStack({
    port: 0,
    dataDir,
    env: {
      TASK_SECRET: secret,
      TASK_ALLOW_LOOPBACK_CALLBACK: 'true',
      // This run publishes to its own local git repositories, never to GitHub, whatever the shell
      // holds; and the secret is this one, never one read from Secrets Manager.
      GITHUB_TOKEN: '',
      GITHUB_TOKEN_SECRET_ARN: '',
      TASK_SECRET_ARN: '',
    },
  });
  const body = taskBody(example, { secret, nonce: sent.nonce, evaluationUrl: evaluator.url });
  console.log(`local stack on ${stack.httpUrl} (sandbox: ${stack.containment})`);
  console.log(`local evaluator on ${evaluator.url}`);
  console.log(
    `$ POST /v1/tasks  task ${body.task} round ${body.round} nonce ${body.nonce}: ${body.checks.length} checks, ${body.attachments.map((file) => file.name).join(', ')}\n`,
  );
  await postTask(stack.httpUrl, body);

  const following = followTaskRound(stack.wsUrl, sent, (event) => {
    const line = eventLine(event);
    if (line !== undefined) console.log(line);
  });
  stopFollowing = following.close;
  await following.result;

  const view = await getRound(stack.httpUrl, sent.task, sent.round);
  const repoPath = repoPathOf(view, join(dataDir, 'pages'));
  for (const line of roundReport(view, repoPath, evaluator.received)) console.log(line);
  const proofs = await proveDelivery({ view, sent, accepted: evaluator.accepted(), repoPath });
  for (const line of proofLines(proofs)) console.log(line);
  return proofs.every((proof) => proof.ok) ? 0 : 1;
}

async function postTask(httpUrl: string, body: TaskBody): Promise<void> {
  const response = await fetch(`${httpUrl}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.text();
  if (response.status !== 200) throw new Error(`POST /v1/tasks answered ${response.status}: ${answer}`);
  console.log(`accepted: ${answer}`);
}

async function getRound(httpUrl: string, task: string, round: number): Promise<TaskRoundView> {
  const response = await fetch(`${httpUrl}/v1/tasks/${encodeURIComponent(task)}/rounds/${round}`);
  if (response.status !== 200)
    throw new Error(`GET the round answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as TaskRoundView;
}
