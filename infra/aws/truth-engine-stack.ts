import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type FunctionUrl, FunctionUrlAuthType, HttpMethod, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { DEFAULT_CONFIG, type TruthEngineConfig } from './config.js';
import { TruthEngineFunction } from './constructs/function-defaults.js';
import { HttpApi } from './constructs/http-api.js';
import { Identity, OAUTH_SCOPES } from './constructs/identity.js';
import { SandboxFunction } from './constructs/sandbox-function.js';
import { GitHubToken, LlmSecrets, TaskSecret } from './constructs/secrets.js';
import { Storage } from './constructs/storage.js';
import { WebConsole } from './constructs/web-console.js';
import { WebSocketApi } from './constructs/websocket-api.js';
import { Workflow } from './constructs/workflow.js';
import { FIX_DEFINITION_PATH, TASK_DEFINITION_PATH, TRANSFORM_DEFINITION_PATH } from './paths.js';

export interface TruthEngineStackProps extends StackProps {
  /**
   * @default - destroy on delete, default model names, a daily allowance of 20, email sign-in only
   */
  readonly config?: TruthEngineConfig;
  /**
   * The ASL file of the fix workflow.
   * @default statemachines/fix.asl.json
   */
  readonly fixDefinitionPath?: string;
  /**
   * The ASL file of the task workflow.
   * @default statemachines/task.asl.json
   */
  readonly taskDefinitionPath?: string;
  /**
   * The ASL file of the transform workflow.
   * @default statemachines/transform.asl.json
   */
  readonly transformDefinitionPath?: string;
  /**
   * The web console's static export, uploaded behind CloudFront.
   * @default web/out (`npm run build:web`)
   */
  readonly webConsoleAssetPath?: string;
}

/**
 * Truth Engine on AWS: HTTP and WebSocket APIs in front of one state machine per problem kind (fix,
 * task), whose controllers, the shared sandbox and the notifier share one table and one bucket.
 * Users sign in through a Cognito user pool; one Lambda authorizer guards both APIs.
 */
export class TruthEngineStack extends Stack {
  readonly storage: Storage;
  readonly secrets: LlmSecrets;
  readonly taskSecret: TaskSecret;
  readonly gitHubToken: GitHubToken;
  readonly identity: Identity;
  readonly authorizer: TruthEngineFunction;
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly controller: TruthEngineFunction;
  readonly taskController: TruthEngineFunction;
  readonly transformController: TruthEngineFunction;
  readonly transformStream: TruthEngineFunction;
  readonly transformStreamUrl: FunctionUrl;
  readonly notifier: TruthEngineFunction;
  readonly taskDelivery: TruthEngineFunction;
  readonly sandbox: SandboxFunction;
  readonly fixWorkflow: Workflow;
  readonly taskWorkflow: Workflow;
  readonly transformWorkflow: Workflow;
  readonly webConsole: WebConsole;

  constructor(scope: Construct, id: string, props: TruthEngineStackProps = {}) {
    super(scope, id, props);
    const config: TruthEngineConfig = props.config ?? DEFAULT_CONFIG;
    const removalPolicy = config.removalPolicy;
    const logRemovalPolicy = removalPolicy;

    this.storage = new Storage(this, 'Storage', { removalPolicy, artifactTtlDays: config.artifactTtlDays });
    const { table, bucket } = this.storage;
    this.secrets = new LlmSecrets(this, 'LlmSecrets', { removalPolicy });
    this.taskSecret = new TaskSecret(this, 'TaskSecret', { removalPolicy });
    this.gitHubToken = new GitHubToken(this, 'GitHubToken', { removalPolicy });

    // The distribution comes first: the user pool's callback URLs and the HTTP API's CORS name its
    // domain, and the console's config.json (deployed after all of them) names the APIs and the pool.
    this.webConsole = new WebConsole(this, 'WebConsole', {
      assetPath: props.webConsoleAssetPath,
      removalPolicy,
    });
    this.storage.allowFormUploadsFrom(this.webConsole.url);
    this.identity = new Identity(this, 'Identity', {
      consoleOrigin: this.webConsole.url,
      domainPrefix: config.auth.domainPrefix,
      google: config.auth.google,
      github: config.auth.github,
      removalPolicy,
    });
    // One authorizer for both APIs: an ID token or an API key, looked up by its hash (GetItem only).
    this.authorizer = new TruthEngineFunction(this, 'Authorizer', {
      handlerDir: 'authorizer',
      description: 'HTTP API user routes and WebSocket $connect: verify the ID token or API key.',
      // A check is a JWKS fetch (then cached) and at most one GetItem, and every request waits on it.
      timeout: Duration.seconds(10),
      logRemovalPolicy,
    }).bindTable({ table, accessMode: 'getItem' });
    this.identity.bindVerifier(this.authorizer);

    const quotaDaily = String(config.auth.quotaDaily);
    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      authorizer: this.authorizer,
      logRemovalPolicy,
    });
    this.webSocketApi.defaultHandler
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    this.webSocketApi.defaultHandler.addEnvironment('QUOTA_DAILY', quotaDaily);
    this.webSocketApi.connectionHandler.bindTable({ table, accessMode: 'readWrite' });

    const modelNames = {
      GEMINI_MODEL: config.models.gemini,
      GROQ_MODEL: config.models.groq,
      DEEPSEEK_MODEL: config.models.deepseek,
    };
    // Each kind's controller asks the models and writes the round's items into the store, presigning
    // what the sandbox fetches: the same needs, so the same grants.
    const controllerFunction = (
      controllerId: string,
      props: { handlerDir: string; description: string; timeout: Duration },
    ) => {
      const fn = new TruthEngineFunction(this, controllerId, {
        ...props,
        memorySize: 1024,
        logRemovalPolicy,
        environment: modelNames,
      })
        .bindTable({ table, accessMode: 'readWrite' })
        .bindBucket({ bucket, accessMode: 'readWrite' });
      this.secrets.bindReader(fn);
      this.webSocketApi.bindPusher(fn);
      return fn;
    };
    this.controller = controllerFunction('Controller', {
      handlerDir: 'controller',
      description: 'Fix workflow: categorize, write the harness and the candidates.',
      // Under the Controller state's 300 s, so a slow provider surfaces as this function's timeout.
      timeout: Duration.seconds(280),
    });
    this.taskController = controllerFunction('TaskController', {
      handlerDir: 'task-controller',
      description: 'Task workflow: make the checks executable, write the candidate sites.',
      // Under the task Controller state's 330 s, with the same margin as the fix controller's.
      timeout: Duration.seconds(310),
    });
    this.transformController = controllerFunction('TransformController', {
      handlerDir: 'transform-controller',
      description:
        'Transform workflow: write the specification and its checks, write the candidate programs.',
      // Under the transform Controller state's 300 s, as the fix controller's.
      timeout: Duration.seconds(280),
    });

    this.notifier = new TruthEngineFunction(this, 'Notifier', {
      handlerDir: 'notifier',
      description: 'Both workflows: record verdicts, judge the round (fix or task), push to subscribers.',
      // Under the notifier states' 60 s.
      timeout: Duration.seconds(55),
      logRemovalPolicy,
    })
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    this.webSocketApi.bindPusher(this.notifier);

    this.taskDelivery = new TruthEngineFunction(this, 'TaskDelivery', {
      handlerDir: 'task-delivery',
      description:
        'Task workflow after the judge: publish to GitHub, await Pages, fetch the live site, notify the evaluator.',
      // Under the Publish state's 300 s (the longest of its states).
      timeout: Duration.seconds(290),
      memorySize: 512,
      logRemovalPolicy,
    })
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    this.webSocketApi.bindPusher(this.taskDelivery);
    this.gitHubToken.bindReader(this.taskDelivery);
    // Every key the deployment holds is scanned for before a push, so the publisher may read them.
    this.secrets.bindReader(this.taskDelivery);
    this.taskSecret.bindReader(this.taskDelivery);

    // The sandbox fetches through its S3 endpoint only what a controller's role presigned (the
    // delivery presigns the live site's bytes it hands the sandbox's browser).
    const presigners = [
      this.controller,
      this.taskController,
      this.transformController,
      this.taskDelivery,
    ].map((fn) => {
      // biome-ignore lint/style/noNonNullAssertion: a Function built here always has a role
      return fn.role!;
    });
    this.sandbox = new SandboxFunction(this, 'Sandbox', { bucket, presigners, logRemovalPolicy });

    this.fixWorkflow = new Workflow(this, 'FixWorkflow', {
      kind: 'fix',
      definitionPath: props.fixDefinitionPath ?? FIX_DEFINITION_PATH,
      functions: {
        ControllerFunctionArn: this.controller,
        SandboxFunctionArn: this.sandbox.function,
        NotifierFunctionArn: this.notifier,
      },
      table,
      starterVariable: 'STATE_MACHINE_ARN',
      logRemovalPolicy,
    });
    this.taskWorkflow = new Workflow(this, 'TaskWorkflow', {
      kind: 'task',
      definitionPath: props.taskDefinitionPath ?? TASK_DEFINITION_PATH,
      functions: {
        TaskControllerFunctionArn: this.taskController,
        SandboxFunctionArn: this.sandbox.function,
        NotifierFunctionArn: this.notifier,
        TaskDeliveryFunctionArn: this.taskDelivery,
      },
      table,
      starterVariable: 'TASK_STATE_MACHINE_ARN',
      logRemovalPolicy,
    });
    this.transformWorkflow = new Workflow(this, 'TransformWorkflow', {
      kind: 'transform',
      definitionPath: props.transformDefinitionPath ?? TRANSFORM_DEFINITION_PATH,
      functions: {
        TransformControllerFunctionArn: this.transformController,
        SandboxFunctionArn: this.sandbox.function,
        NotifierFunctionArn: this.notifier,
      },
      table,
      starterVariable: 'TRANSFORM_STATE_MACHINE_ARN',
      logRemovalPolicy,
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      authorizer: this.authorizer,
      logRemovalPolicy,
      corsAllowOrigins: [this.webConsole.url],
    });
    this.httpApi.handler
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    this.httpApi.handler.addEnvironment('QUOTA_DAILY', quotaDaily);
    // GET /health shows the containment the sandbox function reports measuring, recorded by the
    // notifier; nothing written here could know it.
    // Only POST /v1/tasks checks the task secret, so only its function may read it.
    this.taskSecret.bindReader(this.httpApi.handler);

    // Neither starter is named by a state machine, so these grants add no dependency cycle. Tasks
    // arrive only over HTTP (the WebSocket API follows them with `subscribe`, which starts nothing).
    this.fixWorkflow.bindStarter(this.httpApi.handler);
    this.fixWorkflow.bindStarter(this.webSocketApi.defaultHandler);
    this.taskWorkflow.bindStarter(this.httpApi.handler);
    this.transformWorkflow.bindStarter(this.httpApi.handler);

    // The text streams: API Gateway buffers a response whole, so they are served by a function URL in
    // RESPONSE_STREAM mode. It has no authorizer; the function checks the bearer itself (auth NONE).
    this.transformStream = new TruthEngineFunction(this, 'TransformStream', {
      handlerDir: 'transform-stream',
      description: 'Transform text streams: the specification and the program, as server-sent events.',
      // A model writing a specification or a program, streamed: minutes at most.
      timeout: Duration.seconds(180),
      memorySize: 512,
      logRemovalPolicy,
      environment: modelNames,
    })
      .bindTable({ table, accessMode: 'read' })
      .bindBucket({ bucket, accessMode: 'read' });
    this.identity.bindVerifier(this.transformStream);
    this.secrets.bindReader(this.transformStream);
    this.transformStreamUrl = this.transformStream.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
      cors: {
        allowedOrigins: [this.webConsole.url],
        allowedMethods: [HttpMethod.POST],
        allowedHeaders: ['authorization', 'content-type'],
      },
    });

    this.webConsole.deploy({
      apiUrl: this.httpApi.url,
      wsUrl: this.webSocketApi.url,
      // The console appends /v1/… to it, without the URL's trailing slash.
      streamUrl: this.transformStreamUrl.url,
      auth: {
        mode: 'oauth',
        ...this.identity.endpoints,
        clientId: this.identity.client.userPoolClientId,
        scopes: OAUTH_SCOPES,
      },
    });

    new CfnOutput(this, 'ConsoleUrl', { value: this.webConsole.url });
    new CfnOutput(this, 'HttpApiUrl', { value: this.httpApi.url });
    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketApi.url });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.identity.client.userPoolClientId,
      description: "The console's app client: the audience of the ID tokens the APIs accept.",
    });
    new CfnOutput(this, 'HostedUiUrl', {
      value: this.identity.hostedUiUrl,
      description:
        'The sign-in pages (Cognito hosted UI); an identity provider redirects to <this>/oauth2/idpresponse.',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.fixWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TaskStateMachineArn', { value: this.taskWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TransformStreamUrl', { value: this.transformStreamUrl.url });
    new CfnOutput(this, 'TransformStateMachineArn', {
      value: this.transformWorkflow.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'LlmSecretArn', {
      value: this.secrets.secret.secretArn,
      description: 'Fill GEMINI_API_KEY / GROQ_API_KEY / DEEPSEEK_API_KEY here.',
    });
    new CfnOutput(this, 'GitHubTokenSecretArn', {
      value: this.gitHubToken.secret.secretArn,
      description: 'Put {"GITHUB_TOKEN": "..."} here: the account task sites are published to.',
    });
    new CfnOutput(this, 'TaskSecretArn', {
      value: this.taskSecret.secret.secretArn,
      description: 'Put the secret given to evaluators here (a plain string, or JSON with TASK_SECRET).',
    });
  }
}
