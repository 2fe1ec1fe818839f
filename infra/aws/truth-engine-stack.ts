import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_MODELS, type TruthEngineConfig } from './config.js';
import { FixWorkflow } from './constructs/fix-workflow.js';
import { TruthEngineFunction } from './constructs/function-defaults.js';
import { HttpApi } from './constructs/http-api.js';
import { SandboxFunction } from './constructs/sandbox-function.js';
import { LlmSecrets } from './constructs/secrets.js';
import { Storage } from './constructs/storage.js';
import { WebSocketApi } from './constructs/websocket-api.js';
import { FIX_DEFINITION_PATH } from './paths.js';

export interface TruthEngineStackProps extends StackProps {
  /**
   * @default - destroy on delete, default model names
   */
  readonly config?: TruthEngineConfig;
  /**
   * The ASL file of the fix workflow.
   * @default statemachines/fix.asl.json
   */
  readonly fixDefinitionPath?: string;
}

/**
 * Truth Engine on AWS: HTTP and WebSocket APIs in front of the fix state machine, whose controller,
 * sandbox and notifier share one table and one bucket.
 */
export class TruthEngineStack extends Stack {
  readonly storage: Storage;
  readonly secrets: LlmSecrets;
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly controller: TruthEngineFunction;
  readonly notifier: TruthEngineFunction;
  readonly sandbox: SandboxFunction;
  readonly workflow: FixWorkflow;

  constructor(scope: Construct, id: string, props: TruthEngineStackProps = {}) {
    super(scope, id, props);
    const config: TruthEngineConfig = props.config ?? {
      removalPolicy: RemovalPolicy.DESTROY,
      artifactTtlDays: 7,
      models: DEFAULT_MODELS,
    };
    const removalPolicy = config.removalPolicy;
    const logRemovalPolicy = removalPolicy;

    this.storage = new Storage(this, 'Storage', { removalPolicy, artifactTtlDays: config.artifactTtlDays });
    const { table, bucket } = this.storage;
    this.secrets = new LlmSecrets(this, 'LlmSecrets', { removalPolicy });

    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', { logRemovalPolicy });
    this.webSocketApi.connectHandler
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'nameOnly' });
    this.webSocketApi.disconnectHandler
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'nameOnly' });
    this.webSocketApi.defaultHandler
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });

    this.controller = new TruthEngineFunction(this, 'Controller', {
      handlerDir: 'controller',
      description: 'Fix workflow: categorize, write the harness and the candidates.',
      memorySize: 1024,
      // Under the Controller state's 300 s, so a slow provider surfaces as this function's timeout.
      timeout: Duration.seconds(280),
      logRemovalPolicy,
      environment: {
        GEMINI_MODEL: config.models.gemini,
        GROQ_MODEL: config.models.groq,
        DEEPSEEK_MODEL: config.models.deepseek,
      },
    })
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    this.secrets.bindReader(this.controller);
    this.webSocketApi.bindPusher(this.controller);

    this.notifier = new TruthEngineFunction(this, 'Notifier', {
      handlerDir: 'notifier',
      description: 'Fix workflow: record verdicts, judge the round, push to subscribers.',
      // Under the notifier states' 60 s.
      timeout: Duration.seconds(55),
      logRemovalPolicy,
    })
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    this.webSocketApi.bindPusher(this.notifier);

    // biome-ignore lint/style/noNonNullAssertion: a Function built here always has a role
    const presigner = this.controller.role!;
    this.sandbox = new SandboxFunction(this, 'Sandbox', { bucket, presigner, logRemovalPolicy });

    this.workflow = new FixWorkflow(this, 'FixWorkflow', {
      definitionPath: props.fixDefinitionPath ?? FIX_DEFINITION_PATH,
      steps: { controller: this.controller, sandbox: this.sandbox.function, notifier: this.notifier },
      table,
      logRemovalPolicy,
    });

    this.httpApi = new HttpApi(this, 'HttpApi', { logRemovalPolicy });
    this.httpApi.handler
      .bindTable({ table, accessMode: 'readWrite' })
      .bindBucket({ bucket, accessMode: 'readWrite' });
    // GET /health shows the containment the sandbox function reports measuring, recorded by the
    // notifier; nothing written here could know it.

    // Neither starter is named by the state machine, so these grants add no dependency cycle.
    this.workflow.bindStarter(this.httpApi.handler);
    this.workflow.bindStarter(this.webSocketApi.defaultHandler);

    new CfnOutput(this, 'HttpApiUrl', { value: this.httpApi.url });
    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketApi.url });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'LlmSecretArn', {
      value: this.secrets.secret.secretArn,
      description: 'Fill GEMINI_API_KEY / GROQ_API_KEY / DEEPSEEK_API_KEY here.',
    });
  }
}
