import type { RemovalPolicy } from 'aws-cdk-lib';
import { WebSocketApi as WebSocketApiGateway, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TruthEngineFunction } from './function-defaults.js';

/** The stage clients connect to; the management endpoint carries it in its path. */
export const WEBSOCKET_STAGE = 'prod';

export interface WebSocketApiProps {
  /**
   * The Lambda authorizer of `$connect` (the HTTP API's own): it reads the `token` query parameter
   * (an ID token or an API key) and answers with an IAM policy carrying the caller's id.
   */
  readonly authorizer: IFunction;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Live progress for clients. `$connect` passes the Lambda authorizer (`wss://…?token=<ID token or
 * API key>`; a missing or bad token refuses the upgrade with 401) and then the `ws-connection`
 * function, which binds the connection to the caller (`CONN#<id>`); `$disconnect` goes to the same
 * function, which forgets the binding. `$default` takes every message (subscribe, submit) as the
 * connection's user. A subscription lives on its session, and a push to a closed connection
 * unsubscribes it. Functions that push to connections bind to it with {@link WebSocketApi.bindPusher}.
 */
export class WebSocketApi extends Construct {
  readonly api: WebSocketApiGateway;
  readonly stage: WebSocketStage;
  readonly defaultHandler: TruthEngineFunction;
  readonly connectionHandler: TruthEngineFunction;

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    this.defaultHandler = new TruthEngineFunction(this, 'DefaultHandler', {
      handlerDir: 'ws-default',
      description: 'WebSocket messages: subscribe, submit.',
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.connectionHandler = new TruthEngineFunction(this, 'ConnectionHandler', {
      handlerDir: 'ws-connection',
      description: 'WebSocket $connect and $disconnect: bind a connection to its user, and forget it.',
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const connection = new WebSocketLambdaIntegration('ConnectionIntegration', this.connectionHandler);

    this.api = new WebSocketApiGateway(this, 'Api', {
      description: 'Truth Engine WebSocket API',
      // Messages carry an action, but the one $default handler dispatches on it.
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: connection,
        // Browsers cannot set headers on a WebSocket upgrade, so the token comes in the query string.
        // Without the parameter API Gateway refuses the upgrade (401) without invoking the authorizer.
        authorizer: new WebSocketLambdaAuthorizer('ConnectAuthorizer', props.authorizer, {
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: { integration: connection },
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
