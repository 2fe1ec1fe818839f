import { afterAll, describe, expect, it } from 'vitest';
import { WEBSOCKET_STAGE } from '../../infra/aws/constructs/websocket-api.js';
import { HTTP_ROUTES } from '../../shared/edge/routes.js';
import {
  arnOf,
  environmentOf,
  functionId,
  logicalId,
  roleId,
  rolesAllowed,
  synthesizeTruthEngine,
} from './stack-template.js';

const join$ = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

describe('Constructs: HttpApi and WebSocketApi', () => {
  const { stack, template, cleanup } = synthesizeTruthEngine();
  afterAll(cleanup);

  const resources = template.toJSON().Resources;
  const ofType = (type: string) =>
    Object.entries(resources)
      .filter(([, resource]) => (resource as { Type: string }).Type === type)
      .map(([id, resource]) => ({
        id,
        properties: (resource as { Properties: Record<string, unknown> }).Properties,
      }));

  /** The function each route's integration calls, by route key. */
  const routeTargets = (apiId: string) => {
    const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').map((i) => [i.id, i.properties]));
    return Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route')
        .filter((route) => JSON.stringify(route.properties.ApiId) === JSON.stringify({ Ref: apiId }))
        .map((route) => {
          const target = route.properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
          const integration = integrations.get(target['Fn::Join'][1][1].Ref);
          return [route.properties.RouteKey as string, integration];
        }),
    );
  };

  describe('HTTP API', () => {
    const api = logicalId(stack.httpApi.api);
    const handler = functionId(stack.httpApi.handler);

    it('claims no containment for GET /health: it shows what the sandbox function measured', () => {
      expect(environmentOf(template, handler).SANDBOX_CONTAINMENT).toBeUndefined();
    });

    it('serves every route of the route table, and only those, all through the http-api function', () => {
      // Act
      const targets = routeTargets(api);

      // Assess
      // The streams are the streaming function's URL: API Gateway would buffer them whole.
      expect(Object.keys(targets).sort()).toEqual(
        HTTP_ROUTES.filter((route) => !route.stream)
          .map((route) => `${route.method} ${route.path}`)
          .sort(),
      );
      expect(Object.keys(targets)).toEqual(
        expect.arrayContaining([
          'GET /health',
          'GET /v1/me',
          'POST /v1/keys',
          'DELETE /v1/keys/{keyId}',
          'GET /v1/fixes',
          'POST /v1/fixes/{sessionId}/share',
          'DELETE /v1/fixes/{sessionId}/share',
          'GET /v1/shared/{token}',
          'POST /v1/tasks',
        ]),
      );
      for (const integration of Object.values(targets)) {
        expect(integration).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: arnOf(handler),
          PayloadFormatVersion: '2.0',
        });
      }
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    });

    it('lets API Gateway invoke the http-api function', () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(handler),
        Principal: 'apigateway.amazonaws.com',
      });
    });
  });

  describe('WebSocket API', () => {
    const api = logicalId(stack.webSocketApi.api);
    const handlers = {
      $connect: functionId(stack.webSocketApi.connectionHandler),
      $disconnect: functionId(stack.webSocketApi.connectionHandler),
      $default: functionId(stack.webSocketApi.defaultHandler),
    };
    const integrationUri = (fn: string) =>
      join$(
        'arn:',
        { Ref: 'AWS::Partition' },
        ':apigateway:',
        { Ref: 'AWS::Region' },
        ':lambda:path/2015-03-31/functions/',
        arnOf(fn),
        '/invocations',
      );

    it('routes $connect and $disconnect to the ws-connection function, every message to $default', () => {
      // Act
      const targets = routeTargets(api);

      // Assess
      expect(Object.keys(targets).sort()).toEqual(Object.keys(handlers).sort());
      for (const [routeKey, fn] of Object.entries(handlers)) {
        expect(targets[routeKey]).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: integrationUri(fn),
        });
      }
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
    });

    it('deploys the prod stage automatically', () => {
      // Assess
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        ApiId: { Ref: api },
        StageName: WEBSOCKET_STAGE,
        AutoDeploy: true,
      });
    });

    const callbackUrl = join$(
      'https://',
      { Ref: api },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      `/${WEBSOCKET_STAGE}`,
    );
    const pushers = [
      stack.controller,
      stack.taskController,
      stack.transformController,
      stack.notifier,
      stack.taskDelivery,
      stack.webSocketApi.defaultHandler,
    ];
    const others = [
      stack.httpApi.handler,
      stack.sandbox.function,
      stack.authorizer,
      stack.webSocketApi.connectionHandler,
      stack.transformStream,
    ];

    it('gives the controllers, notifier, task delivery and $default handler the management endpoint', () => {
      // Assess
      for (const fn of pushers)
        expect(environmentOf(template, functionId(fn)).WS_CALLBACK_URL).toEqual(callbackUrl);
      for (const fn of others)
        expect(environmentOf(template, functionId(fn))).not.toHaveProperty('WS_CALLBACK_URL');
    });

    it('grants ManageConnections on this stage to exactly those six', () => {
      // Act
      const granted = rolesAllowed(
        template,
        'execute-api:ManageConnections',
        (resource) =>
          resource ===
          JSON.stringify(
            join$(
              'arn:',
              { Ref: 'AWS::Partition' },
              ':execute-api:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':',
              { Ref: api },
              `/${WEBSOCKET_STAGE}/*/@connections/*`,
            ),
          ),
      );
      const grantedAnywhere = rolesAllowed(template, 'execute-api:ManageConnections', () => true);

      // Assess
      expect(granted).toEqual(pushers.map((fn) => roleId(fn)).sort());
      expect(grantedAnywhere).toEqual(granted);
    });
  });
});
