import type { RemovalPolicy } from 'aws-cdk-lib';
import { WebSocketApi as WebSocketApiGateway, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TruthEngineFunction } from './function-defaults.js';

/** The stage clients connect to; the management endpoint carries it in its path. */
export const WEBSOCKET_STAGE = 'prod';

export interface WebSocketApiProps {
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Live progress for clients: `$default` for every message (subscribe, submit). There are no
 * `$connect`/`$disconnect` routes: nothing is kept per connection (a subscription lives on its
 * session, and a push to a closed connection unsubscribes it). Functions that push to connections
 * bind to it with {@link WebSocketApi.bindPusher}.
 */
export class WebSocketApi extends Construct {
  readonly api: WebSocketApiGateway;
  readonly stage: WebSocketStage;
  readonly defaultHandler: TruthEngineFunction;

  constructor(scope: Construct, id: string, props: WebSocketApiProps = {}) {
    super(scope, id);
    this.defaultHandler = new TruthEngineFunction(this, 'DefaultHandler', {
      handlerDir: 'ws-default',
      description: 'WebSocket messages: subscribe, submit.',
      logRemovalPolicy: props.logRemovalPolicy,
    });

    this.api = new WebSocketApiGateway(this, 'Api', {
      description: 'Truth Engine WebSocket API',
      // Messages carry an action, but the one $default handler dispatches on it.
      routeSelectionExpression: '$request.body.action',
      defaultRouteOptions: {
        integration: new WebSocketLambdaIntegration('DefaultIntegration', this.defaultHandler),
      },
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: WEBSOCKET_STAGE,
      autoDeploy: true,
    });
    this.bindPusher(this.defaultHandler);
  }

  /** The `wss://` URL clients connect to. */
  get url(): string {
    return this.stage.url;
  }

  /** Sets `WS_CALLBACK_URL` (the management endpoint) and grants ManageConnections on this stage. */
  bindPusher(fn: LambdaFunction): void {
    fn.addEnvironment('WS_CALLBACK_URL', this.stage.callbackUrl);
    this.stage.grantManagementApiAccess(fn);
  }
}
