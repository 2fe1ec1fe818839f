import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA_DAILY, readConfig } from '../../infra/aws/config.js';
import { Identity } from '../../infra/aws/constructs/identity.js';
import { HTTP_ROUTES } from '../../shared/edge/routes.js';
import {
  arnOf,
  asArray,
  environmentOf,
  functionId,
  logicalId,
  roleId,
  rolesAllowed,
  statementsOfRole,
  synthesizeTruthEngine,
} from './stack-template.js';

const join$ = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

/** The routes anyone may call: health, a shared view, and the evaluator's (its secret is checked inside). */
const UNAUTHORIZED_ROUTES = ['GET /health', 'GET /v1/shared/{token}', 'POST /v1/tasks'];

const DYNAMODB_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
];

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

describe('Construct: Identity, and the authorizer in front of both APIs', () => {
  const { stack, template, cleanup } = synthesizeTruthEngine();
  afterAll(cleanup);

  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) =>
    Object.entries(resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => ({ id, properties: resource.Properties }));

  const userPool = logicalId(stack.identity.userPool);
  const client = logicalId(stack.identity.client);
  const domain = logicalId(stack.identity.domain);
  const table = logicalId(stack.storage.table);
  const authorizerFn = functionId(stack.authorizer);
  const httpApi = logicalId(stack.httpApi.api);
  const webSocketApi = logicalId(stack.webSocketApi.api);
  const consoleDomain = { 'Fn::GetAtt': [logicalId(stack.webConsole.distribution), 'DomainName'] };
  const invocationUri = join$(
    'arn:',
    { Ref: 'AWS::Partition' },
    ':apigateway:',
    { Ref: 'AWS::Region' },
    ':lambda:path/2015-03-31/functions/',
    arnOf(authorizerFn),
    '/invocations',
  );
  const issuer = join$('https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', {
    Ref: userPool,
  });

  const authorizersOf = (api: string) =>
    ofType('AWS::ApiGatewayV2::Authorizer').filter(
      (authorizer) => JSON.stringify(authorizer.properties.ApiId) === JSON.stringify({ Ref: api }),
    );
  const routesOf = (api: string) =>
    new Map(
      ofType('AWS::ApiGatewayV2::Route')
        .filter((route) => JSON.stringify(route.properties.ApiId) === JSON.stringify({ Ref: api }))
        .map((route) => [route.properties.RouteKey as string, route.properties]),
    );

  describe('HTTP API', () => {
    const [authorizer, ...moreAuthorizers] = authorizersOf(httpApi);
    const routes = routesOf(httpApi);

    it('has one Lambda authorizer: simple responses, the Authorization header, no result cache', () => {
      // Assess
      expect(moreAuthorizers).toEqual([]);
      expect(authorizer?.properties).toEqual({
        ApiId: { Ref: httpApi },
        Name: 'UserAuthorizer',
        AuthorizerType: 'REQUEST',
        AuthorizerUri: invocationUri,
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: 0,
      });
    });

    it.each(HTTP_ROUTES.filter((route) => !route.stream).map((route) => `${route.method} ${route.path}`))(
      '%s has the authorizer unless it is health, the shared view or the task route',
      (routeKey) => {
        // Act
        const route = routes.get(routeKey);

        // Assess
        expect(route, routeKey).toBeDefined();
        if (UNAUTHORIZED_ROUTES.includes(routeKey)) {
          expect(route?.AuthorizationType).toBe('NONE');
          expect(route).not.toHaveProperty('AuthorizerId');
        } else {
          expect(route?.AuthorizationType).toBe('CUSTOM');
          expect(route?.AuthorizerId).toEqual({ Ref: authorizer?.id });
        }
      },
    );

    it('adds no route beyond the route table, and leaves only those three open', () => {
      // Assess
      expect(routes.size).toBe(HTTP_ROUTES.filter((route) => !route.stream).length);
      const open = [...routes]
        .filter(([, route]) => route.AuthorizationType !== 'CUSTOM')
        .map(([key]) => key);
      expect(open.sort()).toEqual([...UNAUTHORIZED_ROUTES].sort());
    });
  });

  describe('WebSocket API', () => {
    const [authorizer, ...moreAuthorizers] = authorizersOf(webSocketApi);
    const routes = routesOf(webSocketApi);
    const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').map((i) => [i.id, i.properties]));
    const integrationOf = (routeKey: string) => {
      const target = routes.get(routeKey)?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      return integrations.get(target['Fn::Join'][1][1].Ref);
    };
    const connectionUri = join$(
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      ':lambda:path/2015-03-31/functions/',
      arnOf(functionId(stack.webSocketApi.connectionHandler)),
      '/invocations',
    );

    it('authorizes $connect with the same function, reading the token query parameter', () => {
      // Assess
      expect(moreAuthorizers).toEqual([]);
      expect(authorizer?.properties).toMatchObject({
        AuthorizerType: 'REQUEST',
        AuthorizerUri: invocationUri,
        IdentitySource: ['route.request.querystring.token'],
      });
      expect(routes.get('$connect')).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizer?.id },
      });
      expect(integrationOf('$connect')).toMatchObject({ IntegrationUri: connectionUri });
    });

    it('sends $disconnect to the ws-connection function, and authorizes no message route', () => {
      // Assess
      expect(routes.get('$disconnect')).toMatchObject({ AuthorizationType: 'NONE' });
      expect(integrationOf('$disconnect')).toMatchObject({ IntegrationUri: connectionUri });
      expect(routes.get('$default')).toMatchObject({ AuthorizationType: 'NONE' });
    });
  });

  it('lets each API invoke the authorizer, only through its own authorizer', () => {
    // Act
    const permissions = ofType('AWS::Lambda::Permission').filter(
      (permission) =>
        JSON.stringify(permission.properties.FunctionName) === JSON.stringify(arnOf(authorizerFn)),
    );

    // Assess
    expect(permissions.map((permission) => permission.properties.SourceArn)).toEqual(
      expect.arrayContaining(
        [httpApi, webSocketApi].map((api) => {
          const [authorizer] = authorizersOf(api);
          return join$(
            'arn:',
            { Ref: 'AWS::Partition' },
            ':execute-api:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':',
            { Ref: api },
            '/authorizers/',
            { Ref: authorizer?.id },
          );
        }),
      ),
    );
    expect(permissions).toHaveLength(2);
  });

  describe('authorizer function', () => {
    it('runs the authorizer handler with the table, the pool as issuer and the console client as audience', () => {
      // Assess
      const properties = resources[authorizerFn]?.Properties;
      expect(properties?.Description).toMatch(/verify the ID token or API key/);
      expect(environmentOf(template, authorizerFn)).toMatchObject({
        TABLE_NAME: { Ref: table },
        AUTH_ISSUER: issuer,
        AUTH_AUDIENCE: { Ref: client },
        AUTH_JWKS_URL: join$(
          'https://cognito-idp.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: userPool },
          '/.well-known/jwks.json',
        ),
      });
    });

    it('may only GetItem on the table: no query, no scan, no write, no bucket, no secret', () => {
      // Act
      const statements = statementsOfRole(template, roleId(stack.authorizer));
      const actions = statements.flatMap((statement) => asArray(statement.Action)).sort();
      const onTable = statements.filter((statement) =>
        asArray(statement.Action).some((a) => a.startsWith('dynamodb:')),
      );

      // Assess
      expect(actions.filter((action) => !action.startsWith('xray:'))).toEqual(['dynamodb:GetItem']);
      expect(onTable.map((statement) => statement.Resource)).toEqual([arnOf(table)]);
      for (const write of DYNAMODB_WRITES) {
        expect(
          rolesAllowed(template, write, () => true),
          write,
        ).not.toContain(roleId(stack.authorizer));
      }
    });
  });

  describe('ws-connection function', () => {
    const connection = stack.webSocketApi.connectionHandler;

    it('may read and write the table, to bind a connection to its user and forget it', () => {
      // Assess
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) {
        expect(
          rolesAllowed(template, action, (resource) => resource === JSON.stringify(arnOf(table))),
          action,
        ).toContain(roleId(connection));
      }
      const actions = statementsOfRole(template, roleId(connection)).flatMap((s) => asArray(s.Action));
      expect(actions.filter((action) => /^(s3|secretsmanager|states|execute-api):/.test(action))).toEqual([]);
    });
  });

  describe('verifying functions', () => {
    // Only the authorizer verifies, and the transform stream, whose function URL has no authorizer in
    // front of it: the routes behind the authorizer read the caller from its context.
    const verifiers = { authorizer: stack.authorizer, 'transform-stream': stack.transformStream };
    const others = {
      'http-api': stack.httpApi.handler,
      'ws-default': stack.webSocketApi.defaultHandler,
      'ws-connection': stack.webSocketApi.connectionHandler,
      controller: stack.controller,
      'task-controller': stack.taskController,
      'transform-controller': stack.transformController,
      notifier: stack.notifier,
      'task-delivery': stack.taskDelivery,
      sandbox: stack.sandbox.function,
    };

    it('the authorizer gets the issuer, audience and keys; no other function does', () => {
      // Assess
      const expected = environmentOf(template, authorizerFn);
      for (const [name, fn] of Object.entries(verifiers)) {
        const env = environmentOf(template, functionId(fn));
        for (const key of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL']) {
          expect(env[key], `${name} ${key}`).toEqual(expected[key]);
        }
      }
      for (const [name, fn] of Object.entries(others)) {
        expect(Object.keys(environmentOf(template, functionId(fn))), name).not.toContain('AUTH_ISSUER');
      }
    });

    it('give the daily allowance, 20 by default, to the two functions that start sessions', () => {
      // Assess
      for (const fn of [stack.httpApi.handler, stack.webSocketApi.defaultHandler]) {
        expect(environmentOf(template, functionId(fn)).QUOTA_DAILY, fn.node.path).toBe(
          String(DEFAULT_QUOTA_DAILY),
        );
      }
      for (const fn of [stack.authorizer, stack.webSocketApi.connectionHandler, stack.notifier]) {
        expect(environmentOf(template, functionId(fn)), fn.node.path).not.toHaveProperty('QUOTA_DAILY');
      }
    });
  });

  describe('user pool', () => {
    it('signs users in by email, lets them sign up, and verifies the address', () => {
      // Assess
      expect(resources[userPool]?.Properties).toMatchObject({
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        AutoVerifiedAttributes: ['email'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
          },
        },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      });
    });

    it('is deleted with a dev stack by default', () => {
      // Assess
      expect(template.toJSON().Resources[userPool].DeletionPolicy).toBe('Delete');
    });

    it('is kept under RemovalPolicy.RETAIN', () => {
      // Arrange
      const bare = new Stack(new App(), 'RetainedIdentity');
      const identity = new Identity(bare, 'Identity', {
        consoleOrigin: 'https://console.example',
        removalPolicy: RemovalPolicy.RETAIN,
      });

      // Act
      const retained = Template.fromStack(bare).toJSON().Resources;

      // Assess
      expect(retained[logicalId(identity.userPool)].DeletionPolicy).toBe('Retain');
    });

    it("serves the hosted UI on a prefix domain taken from the stack id's random last group", () => {
      // Assess
      expect(resources[domain]?.Properties).toEqual({
        UserPoolId: { Ref: userPool },
        Domain: {
          'Fn::Join': [
            '-',
            [
              'truth-engine',
              {
                'Fn::Select': [
                  4,
                  {
                    'Fn::Split': [
                      '-',
                      { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
                    ],
                  },
                ],
              },
            ],
          ],
        },
      });
    });
  });

  describe('app client', () => {
    it('is public (no secret) with the authorization-code grant, the three scopes and the console URLs', () => {
      // Assess
      expect(resources[client]?.Properties).toMatchObject({
        UserPoolId: { Ref: userPool },
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: [join$('https://', consoleDomain, '/auth/callback')],
        LogoutURLs: [join$('https://', consoleDomain, '/')],
        IdTokenValidity: 60,
        RefreshTokenValidity: 30 * 24 * 60,
        TokenValidityUnits: { IdToken: 'minutes', RefreshToken: 'minutes' },
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        SupportedIdentityProviders: ['COGNITO'],
      });
      expect(resources[client]?.Properties.AllowedOAuthFlows).not.toContain('implicit');
    });

    it('federates with no provider unless one is configured', () => {
      // Assess
      template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
      expect(resources[client]?.DependsOn).toBeUndefined();
    });
  });

  describe('outputs', () => {
    it('name the user pool, its console client and the hosted UI', () => {
      // Assess
      const outputs = template.toJSON().Outputs;
      expect(outputs.UserPoolId.Value).toEqual({ Ref: userPool });
      expect(outputs.UserPoolClientId.Value).toEqual({ Ref: client });
      expect(outputs.HostedUiUrl.Value).toEqual(
        join$('https://', { Ref: domain }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com'),
      );
    });
  });
});

describe('Stack: sign-in settings from context', () => {
  const githubSecretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:te-github-AbCdEf';
  const { stack, template, cleanup } = synthesizeTruthEngine({
    context: {
      authDomainPrefix: 'my-truth-engine',
      quotaDaily: '5',
      googleClientId: 'google-client',
      googleClientSecretName: 'truth-engine/google',
      githubOidcIssuerUrl: 'https://github-bridge.example',
      githubClientId: 'github-client',
      githubClientSecretName: githubSecretArn,
    },
  });
  afterAll(cleanup);

  const resources = template.toJSON().Resources as Record<string, Resource>;
  const userPool = logicalId(stack.identity.userPool);
  const client = resources[logicalId(stack.identity.client)];
  const { google, github } = stack.identity;
  if (google === undefined || github === undefined) throw new Error('both providers should be configured');

  it('creates Google with its client secret as a Secrets Manager reference, never the value', () => {
    // Assess
    expect(resources[logicalId(google)]?.Properties).toEqual({
      UserPoolId: { Ref: userPool },
      ProviderName: 'Google',
      ProviderType: 'Google',
      ProviderDetails: {
        client_id: 'google-client',
        client_secret: '{{resolve:secretsmanager:truth-engine/google:SecretString:::}}',
        authorize_scopes: 'openid email profile',
      },
      AttributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name' },
    });
  });

  it("creates GitHub as an OIDC provider at the bridge's issuer, its secret a reference too", () => {
    // Assess
    expect(resources[logicalId(github)]?.Properties).toMatchObject({
      UserPoolId: { Ref: userPool },
      ProviderName: 'GitHub',
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: 'github-client',
        client_secret: `{{resolve:secretsmanager:${githubSecretArn}:SecretString:::}}`,
        oidc_issuer: 'https://github-bridge.example',
        attributes_request_method: 'GET',
      },
    });
  });

  it('lets the console client sign in with both, after CloudFormation has created them', () => {
    // Assess
    expect(client?.Properties.SupportedIdentityProviders).toEqual(['COGNITO', 'Google', 'GitHub']);
    expect([...(client?.DependsOn ?? [])].sort()).toEqual([logicalId(google), logicalId(github)].sort());
  });

  it('takes the hosted UI prefix and the daily allowance from context', () => {
    // Assess
    expect(resources[logicalId(stack.identity.domain)]?.Properties.Domain).toBe('my-truth-engine');
    for (const fn of [stack.httpApi.handler, stack.webSocketApi.defaultHandler]) {
      expect(environmentOf(template, functionId(fn)).QUOTA_DAILY, fn.node.path).toBe('5');
    }
  });

  it('writes no client secret anywhere in the template', () => {
    // Assess
    const json = JSON.stringify(template.toJSON());
    expect(json.match(/client_secret":"[^"]*"/g)?.every((s) => s.includes('{{resolve:secretsmanager:'))).toBe(
      true,
    );
  });
});

describe('Function: readConfig (sign-in)', () => {
  const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;

  it('defaults to a daily allowance of 20, the derived prefix and no identity provider', () => {
    // Act
    const { auth } = readConfig(nodeWith({}));

    // Assess
    expect(auth).toEqual({ quotaDaily: 20 });
    expect(auth.domainPrefix).toBeUndefined();
    expect(auth.google).toBeUndefined();
    expect(auth.github).toBeUndefined();
  });

  it('reads both providers when every setting of each is given', () => {
    // Act
    const { auth } = readConfig(
      nodeWith({
        googleClientId: 'g',
        googleClientSecretName: 'gs',
        githubOidcIssuerUrl: 'https://bridge.example',
        githubClientId: 'h',
        githubClientSecretName: 'hs',
        quotaDaily: '0',
      }),
    );

    // Assess
    expect(auth).toEqual({
      quotaDaily: 0,
      google: { clientId: 'g', clientSecretName: 'gs' },
      github: { issuerUrl: 'https://bridge.example', clientId: 'h', clientSecretName: 'hs' },
    });
  });

  it('refuses a half-configured provider rather than deploying without it', () => {
    // Act + Assess
    expect(() => readConfig(nodeWith({ googleClientId: 'g' }))).toThrow(/googleClientSecretName/);
    expect(() => readConfig(nodeWith({ githubClientId: 'h', githubClientSecretName: 'hs' }))).toThrow(
      /githubOidcIssuerUrl/,
    );
    expect(() =>
      readConfig(
        nodeWith({
          githubOidcIssuerUrl: 'http://bridge.example',
          githubClientId: 'h',
          githubClientSecretName: 'hs',
        }),
      ),
    ).toThrow(/https/);
  });

  it('refuses a prefix Cognito would refuse, and a quota that is not a whole number', () => {
    // Act + Assess
    for (const prefix of ['Upper', 'my-aws-login', '-lead', 'trail-', 'a'.repeat(64), 'dot.ted']) {
      expect(() => readConfig(nodeWith({ authDomainPrefix: prefix })), prefix).toThrow(/authDomainPrefix/);
    }
    expect(readConfig(nodeWith({ authDomainPrefix: 'te-dev-1' })).auth.domainPrefix).toBe('te-dev-1');
    for (const quota of ['-1', '2.5', 'many']) {
      expect(() => readConfig(nodeWith({ quotaDaily: quota })), quota).toThrow(/quotaDaily/);
    }
  });
});
