import type { SessionKind } from '../../shared/domain/types.js';
import './process-defaults.js';
import './polyfills.js';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';
import { createPushChannel, createSessionStore, createUserStore } from '../../shared/adapters/aws-clients.js';
import { createLocalPagesHandler } from '../../shared/adapters/pages-local/pages-handler.js';
import { readAppConfig } from '../../shared/config/app-config.js';
import type { ConsoleSignIn } from '../../shared/edge/console-config.js';
import { logger } from '../../shared/observability/logger.js';
import { eventLog } from '../../shared/observability/session-logging.js';
import { failSession } from '../../shared/use-cases/fail-session.js';
import { createConsoleFiles } from './console-files.js';
import { startLocalDynamoDb } from './dynamodb-server.js';
import { FunctionProcess } from './function-process.js';
import { LocalGateway } from './gateway.js';
import { enableConcurrentInvocations, outsideInvocation } from './lambda-invoker.js';
import { DEFAULT_LOCAL_USER, LOCAL_CLIENT_ID, LocalIssuer } from './local-issuer.js';
import { DYNAMODB_UPDATE_ITEM, LocalStateMachine, loadDefinition } from './state-machine-runner.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const FIX_DEFINITION = join(REPO_ROOT, 'statemachines', 'fix.asl.json');
export const TASK_DEFINITION = join(REPO_ROOT, 'statemachines', 'task.asl.json');
export const TRANSFORM_DEFINITION = join(REPO_ROOT, 'statemachines', 'transform.asl.json');
const REGION = 'us-east-1';
const SANDBOX_NICE = 10;
const WORKFLOW_NICE = 5;
/** Task rounds running at once on the local stack (most of them waiting at any time). */
const TASK_EXECUTIONS = 32;
const ACCOUNT = '000000000000';
const TABLE_NAME = 'truth-engine';
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:truth-engine-fix`;
const TASK_STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:truth-engine-task`;
const TRANSFORM_STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:truth-engine-transform`;
/** The functions behind the HTTP and WebSocket routes and their authorizer, hosted together in one process. */
const API_FUNCTIONS = ['http-api', 'ws-default', 'ws-connection', 'authorizer', 'transform-stream'];
const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:truth-engine-${name}`;

export interface LocalStackOptions {
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /** Extra environment for the handlers (e.g. model keys, SANDBOX_TIMEOUT_MS). */
  env?: Record<string, string>;
  /**
   * Bench hook: wraps every function invocation (and, as `sandbox-slot`, each sandbox Task's wait
   * for a slot plus its run), e.g. to time it. @default none
   */
  wrapInvoke?: InvokeWrapper;
  /** The web console's static export, served at `/`. @default web/out */
  consoleDir?: string;
}

/**
 * `AUTH=auto` (the default) signs a request that carries no credential in as the local default
 * user, so the quick start needs no step; `AUTH=required` answers it 401, as the AWS deployment does.
 */
export type LocalAuthMode = 'auto' | 'required';

function authMode(setting: string | undefined): LocalAuthMode {
  if (setting === undefined || setting.trim() === '' || setting === 'auto') return 'auto';
  if (setting === 'required') return 'required';
  throw new Error(`AUTH must be auto or required, got ${setting}`);
}

export type InvokeWrapper = (
  name: string,
  payload: unknown,
  call: () => Promise<unknown>,
) => Promise<unknown>;

export interface LocalStack {
  port: number;
  httpUrl: string;
  wsUrl: string;
  /** The web console (served from web/out once `npm run build:web` made it). */
  consoleUrl: string;
  containment: string;
  /** Sessions found unfinished at start and resumed (or failed, if already resumed once). */
  recovered: { resumed: string[]; failed: string[] };
  machine: LocalStateMachine;
  taskMachine: LocalStateMachine;
  transformMachine: LocalStateMachine;
  /** The stack's own token issuer (tests sign users' tokens with it). */
  issuer: LocalIssuer;
  auth: LocalAuthMode;
  close(): Promise<void>;
}

/**
 * The whole engine on one machine: dynalite, the gateway (HTTP, WebSocket, management, Step Functions
 * endpoints) and the fix state machine, running the same handlers and the same ASL file as AWS.
 * The handlers read their configuration once when first imported, so one process holds one stack.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Before any SDK client runs: the per-invocation context store must be the concurrent kind.
  await enableConcurrentInvocations();
  const dataDir = resolve(options.dataDir);
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  await mkdir(join(dataDir, 'artifacts'), { recursive: true });
  // The local publisher's repositories, one per task, served at /pages/<owner>/<repo>/.
  const pagesDir = join(dataDir, 'pages');
  await mkdir(pagesDir, { recursive: true });

  const dynamodb = await startLocalDynamoDb({
    path: join(dataDir, 'dynamodb'),
    tableName: TABLE_NAME,
    region: REGION,
  });
  let machine: LocalStateMachine | undefined;
  let taskMachine: LocalStateMachine | undefined;
  let transformMachine: LocalStateMachine | undefined;
  let gateway: LocalGateway | undefined;
  // Presigned artifact URLs are signed with a key made fresh at every start, as S3 signs with credentials.
  const signingKey = randomBytes(32).toString('hex');
  const artifactDir = join(dataDir, 'artifacts');
  const artifactSettings = readAppConfig({
    TABLE_NAME,
    ARTIFACT_DIR: artifactDir,
    ...process.env,
    ...options.env,
  });
  const auth = authMode(options.env?.AUTH ?? process.env.AUTH);
  let sandbox: FunctionProcess | undefined;
  let workflowFunctions: FunctionProcess | undefined;
  let apiFunctions: FunctionProcess | undefined;
  try {
    const hosts: Partial<Record<string, FunctionProcess>> = {};
    gateway = new LocalGateway(
      {
        http: (event) => invoke('http-api', event),
        stream: (event, onChunk) => {
          const host = hosts['transform-stream'];
          if (!host) return Promise.reject(new Error('the transform-stream function is not ready'));
          return host.invokeStream('transform-stream', event, onChunk);
        },
        wsDefault: (event) => invoke('ws-default', event),
        wsConnect: (event) => invoke('ws-connection', event),
        wsDisconnect: (event) => invoke('ws-connection', event),
        authorize: (event) => invoke('authorizer', event),
      },
      () => {
        if (!machine || !taskMachine || !transformMachine)
          throw new Error('the state machines are not ready');
        return [machine, taskMachine, transformMachine];
      },
      {
        info: (message, extra) => void outsideInvocation(() => logger.info(message, { ...extra })),
        error: (message, extra) => void outsideInvocation(() => logger.error(message, { ...extra })),
      },
      'local',
      new FileArtifactStore(artifactDir, {
        ttlMs: artifactSettings.ARTIFACT_TTL_DAYS * 24 * 60 * 60 * 1000,
        signingKey,
      }),
      createLocalPagesHandler({ rootDir: pagesDir }),
      createConsoleFiles({
        ...(options.consoleDir === undefined ? {} : { dir: options.consoleDir }),
        config: { apiUrl: '', wsUrl: '', auth: consoleAuth(auth) },
      }),
    );
    const port = await gateway.listen(options.port);
    const base = `http://127.0.0.1:${port}`;
    // The issuer's keys persist with the data; its name is the stack's origin, as Cognito's is its pool's URL.
    const issuer = await LocalIssuer.open({
      dataDir,
      issuer: base,
      users: options.env?.LOCAL_USERS ?? process.env.LOCAL_USERS,
    });
    gateway.useAuth({
      issuer,
      ...(auth === 'auto' ? { autoSignIn: () => issuer.sign(DEFAULT_LOCAL_USER) } : {}),
    });
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      ARTIFACT_DIR: artifactDir,
      ARTIFACT_URL: base,
      ARTIFACT_SIGNING_KEY: signingKey,
      STATE_MACHINE_ARN,
      TASK_STATE_MACHINE_ARN,
      TRANSFORM_STATE_MACHINE_ARN,
      SFN_ENDPOINT: base,
      WS_CALLBACK_URL: `${base}/${gateway.stage}`,
      PAGES_DIR: pagesDir,
      PAGES_BASE_URL: `${base}/pages`,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: LOCAL_CLIENT_ID,
      AUTH_JWKS_URL: issuer.jwksUrl,
      ...options.env,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    // The sandbox goes first: its capability probe decides what /health reports. Every function
    // runs in a process of its own, as each is a function of its own in AWS: the API's (HTTP and
    // WebSocket routes), the sandbox, and the controller with the notifier. This process keeps the
    // gateway and the state machine, so an accepted request's store and Step Functions calls never
    // wait their turn behind the sessions' executions, nor theirs behind it.
    // On one machine the candidates' interpreters share the cores with everything else; in AWS the
    // sandbox has CPU of its own. Run below the stack's priority, they take what the API and the
    // session's other steps leave and never hold up a request being accepted.
    sandbox = await FunctionProcess.start(['sandbox'], { nice: SANDBOX_NICE });
    hosts.sandbox = sandbox;
    const containment = sandbox.containment ?? 'unknown';
    process.env.SANDBOX_CONTAINMENT = containment;
    // Both are waited for, even when one fails, so the clean-up below closes whichever started.
    const [workflowStart, apiStart] = await Promise.allSettled([
      FunctionProcess.start(
        ['controller', 'task-controller', 'transform-controller', 'notifier', 'task-delivery'],
        {
          nice: WORKFLOW_NICE,
        },
      ),
      FunctionProcess.start(API_FUNCTIONS),
    ]);
    if (workflowStart.status === 'fulfilled') workflowFunctions = workflowStart.value;
    if (apiStart.status === 'fulfilled') apiFunctions = apiStart.value;
    if (workflowStart.status === 'rejected') throw workflowStart.reason;
    if (apiStart.status === 'rejected') throw apiStart.reason;
    const workflow = workflowStart.value;
    const api = apiStart.value;
    hosts.controller = workflow;
    hosts.notifier = workflow;
    hosts['task-controller'] = workflow;
    hosts['transform-controller'] = workflow;
    hosts['task-delivery'] = workflow;
    for (const name of API_FUNCTIONS) hosts[name] = api;

    function invoke(name: string, event: unknown): Promise<unknown> {
      const host = hosts[name];
      if (!host) return Promise.reject(new Error(`the ${name} function is not ready`));
      // A hosted function gets its Lambda context in its own process.
      const call = () => host.invoke(name, event);
      return options.wrapInvoke ? options.wrapInvoke(name, event, call) : call();
    }

    // Lambda caps a function's concurrency; on one machine the cap is what keeps a burst of sessions
    // from starting more interpreters than the cores can run within their time limits.
    const sandboxLimit = sandboxConcurrency(process.env.SANDBOX_CONCURRENCY);
    const sandboxSlots = pLimit(sandboxLimit);
    const substitutions = {
      ControllerFunctionArn: functionArn('controller'),
      TaskControllerFunctionArn: functionArn('task-controller'),
      TransformControllerFunctionArn: functionArn('transform-controller'),
      SandboxFunctionArn: functionArn('sandbox'),
      NotifierFunctionArn: functionArn('notifier'),
      TaskDeliveryFunctionArn: functionArn('task-delivery'),
      TableName: TABLE_NAME,
    };
    const functions = {
      'truth-engine-controller': (payload: unknown) => invoke('controller', payload),
      'truth-engine-task-controller': (payload: unknown) => invoke('task-controller', payload),
      'truth-engine-transform-controller': (payload: unknown) => invoke('transform-controller', payload),
      'truth-engine-sandbox': (payload: unknown) => {
        const call = () => sandboxSlots(() => invoke('sandbox', payload));
        return options.wrapInvoke ? options.wrapInvoke('sandbox-slot', payload, call) : call();
      },
      'truth-engine-notifier': (payload: unknown) => invoke('notifier', payload),
      'truth-engine-task-delivery': (payload: unknown) => invoke('task-delivery', payload),
    };
    const integrations = {
      [DYNAMODB_UPDATE_ITEM]: (parameters: unknown) => dynamodb.updateItem(parameters),
    };
    const { definition, handlers: taskHandlers } = await loadDefinition(
      FIX_DEFINITION,
      substitutions,
      functions,
      integrations,
    );
    const task = await loadDefinition(TASK_DEFINITION, substitutions, functions, integrations);
    const transform = await loadDefinition(TRANSFORM_DEFINITION, substitutions, functions, integrations);
    // Enough running sessions to keep every sandbox slot busy (each has a baseline and candidates to
    // run); the rest wait, queued, rather than all taking turns on the same store and event loops.
    machine = new LocalStateMachine(
      STATE_MACHINE_ARN,
      definition,
      taskHandlers,
      (error, input) => {
        void outsideInvocation(() =>
          logger.warn('execution ended with an error', {
            error: String(error),
            input: JSON.stringify(input),
          }),
        );
      },
      { maxRunning: sandboxLimit * 2 },
    );
    // A task round spends most of its life waiting (for its previous round, for Pages, between
    // notification retries, up to the evaluator's 10 minutes), which holds an execution slot here:
    // a small cap would let waiting rounds keep a previous round they wait for from ever starting.
    // The browsers they run are held to the sandbox's slots instead, as a Lambda concurrency cap would.
    taskMachine = new LocalStateMachine(
      TASK_STATE_MACHINE_ARN,
      task.definition,
      task.handlers,
      (error, input) => {
        void outsideInvocation(() =>
          logger.warn('task execution ended with an error', {
            error: String(error),
            input: JSON.stringify(input),
          }),
        );
      },
      { maxRunning: TASK_EXECUTIONS },
    );

    // A transform job is one round of three sandbox runs, as a fix's is: held to the same cap.
    transformMachine = new LocalStateMachine(
      TRANSFORM_STATE_MACHINE_ARN,
      transform.definition,
      transform.handlers,
      (error, input) => {
        void outsideInvocation(() =>
          logger.warn('transform execution ended with an error', {
            error: String(error),
            input: JSON.stringify(input),
          }),
        );
      },
      { maxRunning: sandboxLimit * 2 },
    );

    const machines = { fix: machine, task: taskMachine, transform: transformMachine };
    const recovered = await outsideInvocation(() => recoverUnfinished(machines));
    // Only now can every route be served: before this, clients were told 503 and when to retry.
    gateway.markReady();
    const stack: LocalStack = {
      port,
      httpUrl: base,
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      consoleUrl: `${base}/`,
      containment,
      recovered,
      machine,
      taskMachine,
      transformMachine,
      issuer,
      auth,
      close: async () => {
        await Promise.all([machine?.stop(), taskMachine?.stop(), transformMachine?.stop()]);
        await gateway?.close();
        await Promise.all([sandbox?.close(), workflowFunctions?.close(), apiFunctions?.close()]);
        await dynamodb.close();
      },
    };
    return stack;
  } catch (error) {
    await Promise.all([machine?.stop(), taskMachine?.stop(), transformMachine?.stop()]);
    await gateway?.close();
    await Promise.all([sandbox?.close(), workflowFunctions?.close(), apiFunctions?.close()]);
    await dynamodb.close();
    throw error;
  }
}

/** What the console is told about signing in: nothing to do (auto), or the issuer's hosted UI (relative to the page). */
function consoleAuth(auth: LocalAuthMode): ConsoleSignIn {
  if (auth === 'auto')
    return { mode: 'auto', user: { id: DEFAULT_LOCAL_USER.sub, name: DEFAULT_LOCAL_USER.name } };
  return {
    mode: 'oauth',
    authorizeUrl: '/oauth2/authorize',
    tokenUrl: '/oauth2/token',
    logoutUrl: '/logout',
    clientId: LOCAL_CLIENT_ID,
    scopes: ['openid', 'email', 'profile'],
  };
}

function sandboxConcurrency(setting: string | undefined): number {
  if (setting === undefined || setting.trim() === '') return Math.max(2, availableParallelism() * 2);
  const value = Number(setting);
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new Error(`SANDBOX_CONCURRENCY must be a whole number from 1 to 256, got ${setting}`);
  }
  return value;
}

/**
 * A session left queued or running by a crash or a stop is resumed from its current round (the
 * controller returns that round's stored candidates, so they are run again). One that was already
 * resumed once is marked failed with the reason, so no session is ever left hanging.
 */
async function recoverUnfinished(
  machines: Record<SessionKind, LocalStateMachine>,
): Promise<{ resumed: string[]; failed: string[] }> {
  const config = readAppConfig(process.env);
  const deps = {
    store: createSessionStore(config),
    push: createPushChannel(config),
    users: createUserStore(config),
    log: eventLog,
  };
  const resumed: string[] = [];
  const failed: string[] = [];
  for (const meta of await deps.store.listUnfinished()) {
    if ((meta.resumes ?? 0) >= 1) {
      await failSession(deps, {
        sessionId: meta.sessionId,
        reason: 'the local stack stopped twice while this session was running',
      });
      failed.push(meta.sessionId);
      continue;
    }
    await deps.store.updateMeta(meta.sessionId, { resumes: (meta.resumes ?? 0) + 1 });
    machines[meta.kind ?? 'fix'].start(
      { sessionId: meta.sessionId, round: Math.max(1, meta.rounds) },
      `${meta.sessionId}-resume`,
    );
    resumed.push(meta.sessionId);
  }
  if (resumed.length + failed.length > 0) logger.info('recovered unfinished sessions', { resumed, failed });
  return { resumed, failed };
}
