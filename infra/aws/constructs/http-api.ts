import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi as HttpApiGateway, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HTTP_ROUTES, type RouteMethod } from '../../../shared/edge/routes.js';
import { TruthEngineFunction } from './function-defaults.js';

/** API Gateway's method for each of the route table's. */
const METHODS: Record<RouteMethod, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  DELETE: HttpMethod.DELETE,
};

export interface HttpApiProps {
  /**
   * The Lambda authorizer in front of every `user` route: it answers a bearer ID token or API key
   * with the caller's id (simple responses, payload 2.0).
   */
  readonly authorizer: IFunction;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Browser origins allowed to call the API (CORS, answered by API Gateway before any route): GET,
   * POST, DELETE and OPTIONS with `content-type` and `authorization`.
   * @default - no CORS configuration
   */
  readonly corsAllowOrigins?: string[];
}

/**
 * The request/response front door: every route of `shared/edge/routes.ts` (`HTTP_ROUTES`), all to
 * the one `http-api` handler, which routes. Each `user` route passes the Lambda authorizer first;
 * `public` routes (health, a shared view) carry no credential, and the `secret` route (an
 * evaluator's task) checks its shared secret in the handler.
 *
 * The bodies fit every hop: the handler refuses a body over 2.5 MiB with a 413 (a task's
 * attachments are capped below that), API Gateway takes up to 10 MB, and the event Lambda receives
 * (at most 6 MB for a synchronous invocation) carries the body once more, escaped as a JSON string
 * (at most twice a text body, 5 MiB) or base64 (4/3 of it, 3.3 MiB). Each answer comes inside API
 * Gateway's 30 s integration timeout: the function stops at 29 s, and a task is answered before any
 * model call.
 */
export class HttpApi extends Construct {
  readonly api: HttpApiGateway;
  readonly handler: TruthEngineFunction;
  readonly authorizer: HttpLambdaAuthorizer;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.handler = new TruthEngineFunction(this, 'Handler', {
      handlerDir: 'http-api',
      description:
        'HTTP API: health, the caller, API keys, fixes (history, share links), tasks and datasets.',
      // A dataset sent by presigned upload (up to 50 MiB) is parsed here, inside API Gateway's 30 s:
      // 2 GB buys the memory for its typed table and more than one vCPU to parse it with.
      memorySize: 2048,
      logRemovalPolicy: props.logRemovalPolicy,
    });

    this.api = new HttpApiGateway(this, 'Api', {
      description: 'Truth Engine HTTP API',
      corsPreflight:
        props.corsAllowOrigins === undefined
          ? undefined
          : {
              allowOrigins: props.corsAllowOrigins,
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.DELETE,
                CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['content-type', 'authorization'],
              maxAge: Duration.hours(1),
            },
    });
    // No result cache (TTL 0): the authorizer runs on every request, so a revoked API key or a
    // deleted user is refused on the next request rather than after a cached "allow" expires. A
    // request without an Authorization header is refused (401) by API Gateway without invoking it.
    this.authorizer = new HttpLambdaAuthorizer('UserAuthorizer', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(0),
    });
    const integration = new HttpLambdaIntegration('HandlerIntegration', this.handler);
    // A stream's route is the streaming function's URL: API Gateway would buffer it whole.
    for (const route of HTTP_ROUTES.filter((candidate) => !candidate.stream)) {
      this.api.addRoutes({
        path: route.path,
        methods: [METHODS[route.method]],
        integration,
        authorizer: route.auth === 'user' ? this.authorizer : undefined,
      });
    }
  }

  /** The base URL, with a trailing slash. */
  get url(): string {
    const url = this.api.url;
    if (url === undefined) throw new Error('the HTTP API has no default stage');
    return url;
  }
}
