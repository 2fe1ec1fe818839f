import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi as HttpApiGateway, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { TruthEngineFunction } from './function-defaults.js';

/**
 * Every route the HTTP API serves; all of them go to the one `http-api` handler, which routes.
 *
 * The bodies fit every hop: the handler refuses a body over 2.5 MiB with a 413 (a task's
 * attachments are capped below that), API Gateway takes up to 10 MB, and the event Lambda receives
 * (at most 6 MB for a synchronous invocation) carries the body once more, escaped as a JSON string
 * (at most twice a text body, 5 MiB) or base64 (4/3 of it, 3.3 MiB). Each answer comes inside API
 * Gateway's 30 s integration timeout: the function stops at 29 s, and a task is answered before any
 * model call.
 */
export const HTTP_ROUTES: ReadonlyArray<{ readonly method: HttpMethod; readonly path: string }> = [
  { method: HttpMethod.GET, path: '/health' },
  { method: HttpMethod.POST, path: '/v1/fixes' },
  { method: HttpMethod.GET, path: '/v1/fixes/{sessionId}' },
  { method: HttpMethod.POST, path: '/v1/tasks' },
  { method: HttpMethod.GET, path: '/v1/tasks/{task}/rounds/{round}' },
];

export interface HttpApiProps {
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Browser origins allowed to call the API (CORS, answered by API Gateway before any route): GET,
   * POST and OPTIONS with `content-type` and `authorization`.
   * @default - no CORS configuration
   */
  readonly corsAllowOrigins?: string[];
}

/** The request/response front door: submit a fix or a task, read a session or a task round, health check. */
export class HttpApi extends Construct {
  readonly api: HttpApiGateway;
  readonly handler: TruthEngineFunction;

  constructor(scope: Construct, id: string, props: HttpApiProps = {}) {
    super(scope, id);
    this.handler = new TruthEngineFunction(this, 'Handler', {
      handlerDir: 'http-api',
      description: 'HTTP API: health, submit and read fixes and tasks.',
      logRemovalPolicy: props.logRemovalPolicy,
    });

    this.api = new HttpApiGateway(this, 'Api', {
      description: 'Truth Engine HTTP API',
      corsPreflight:
        props.corsAllowOrigins === undefined
          ? undefined
          : {
              allowOrigins: props.corsAllowOrigins,
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
              allowHeaders: ['content-type', 'authorization'],
              maxAge: Duration.hours(1),
            },
    });
    const integration = new HttpLambdaIntegration('HandlerIntegration', this.handler);
    for (const route of HTTP_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }
  }

  /** The base URL, with a trailing slash. */
  get url(): string {
    const url = this.api.url;
    if (url === undefined) throw new Error('the HTTP API has no default stage');
    return url;
  }
}
