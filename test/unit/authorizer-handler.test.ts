import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHash, newApiKey } from '../../shared/domain/api-key.js';

/*
 * The authorizer Lambda as API Gateway calls it: an HTTP API REQUEST event (payload 2.0, simple
 * responses) and a WebSocket $connect REQUEST event (an IAM policy). Tokens are checked against a
 * JWKS served on loopback, as Cognito serves its pool's; API keys are looked up in the table (mocked
 * at the SDK).
 */

const ISSUER_PATH = '/us-east-1_pool';
let server: Server;
let issuer: string;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let publicJwk: JWK;
let handler: (event: unknown, context: unknown) => Promise<unknown>;
const dynamo = mockClient(DynamoDBDocumentClient);

async function token(
  claims: Record<string, unknown> = {},
  options: { audience?: string; expires?: number } = {},
) {
  return new SignJWT({ token_use: 'id', email: 'ann@example.com', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(options.audience ?? 'client-1')
    .setSubject('user-ann')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expires ?? 3600))
    .sign(privateKey);
}

const context = { functionName: 'authorizer', awsRequestId: 'r1', getRemainingTimeInMillis: () => 3000 };
const httpEvent = (authorization: string) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:us-east-1:1:api/$default/GET/v1/me',
  identitySource: [authorization],
  routeKey: 'GET /v1/me',
  headers: { authorization },
  requestContext: { http: { method: 'GET', path: '/v1/me' } },
});
const connectEvent = (token?: string) => ({
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:us-east-1:1:api/prod/$connect',
  headers: {},
  queryStringParameters: token === undefined ? {} : { token },
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c1' },
});

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((request, response) => {
    if (request.url === `${ISSUER_PATH}/.well-known/jwks.json`) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${ISSUER_PATH}`;
  Object.assign(process.env, {
    TABLE_NAME: 'table',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: 'client-1',
  });
  ({ handler } = (await import('../../lambdas/authorizer/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  dynamo.restore();
});

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
});

describe('the authorizer', () => {
  it('authorizes an HTTP request with a valid ID token, handing the route the user', async () => {
    expect(await handler(httpEvent(`Bearer ${await token({ name: 'Ann' })}`), context)).toEqual({
      isAuthorized: true,
      context: { userId: 'user-ann', via: 'token', name: 'Ann', email: 'ann@example.com' },
    });
  });

  it('fails with "Unauthorized" (API Gateway answers 401) for every token that proves nothing', async () => {
    const valid = await token();
    const [head, payload, signature] = valid.split('.');
    const other = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('client-1')
      .setSubject('user-ann')
      .setExpirationTime('1h')
      .sign(other.privateKey);
    for (const [what, credential] of [
      ['expired', await token({}, { expires: -10 })],
      ['another app client', await token({}, { audience: 'client-2' })],
      ['an access token', await token({ token_use: 'access' })],
      ['another key', foreign],
      ['a changed payload', `${head}.${Buffer.from('{"sub":"x"}').toString('base64url')}.${signature}`],
      ['no signature', `${head}.${payload}.`],
      ['garbage', 'not-a-jwt'],
    ]) {
      await expect(handler(httpEvent(`Bearer ${credential}`), context), what).rejects.toThrow(
        /^Unauthorized$/,
      );
    }
    await expect(handler(httpEvent('Basic abc'), context)).rejects.toThrow(/^Unauthorized$/);
  });

  it('authorizes an API key by its hash, and refuses it once the table no longer has it', async () => {
    const key = newApiKey();
    dynamo.on(GetCommand, { Key: { PK: `APIKEY#${apiKeyHash(key)}`, SK: 'KEY' } }).resolves({
      Item: {
        keyId: 'k',
        userId: 'user-ann',
        name: 'ci',
        createdAt: 'now',
        lastFour: key.slice(-4),
        hash: apiKeyHash(key),
      },
    });
    expect(await handler(httpEvent(`Bearer ${key}`), context)).toEqual({
      isAuthorized: true,
      context: { userId: 'user-ann', via: 'key' },
    });
    // Only the hash is ever looked up.
    const keys = dynamo.commandCalls(GetCommand).map((call) => JSON.stringify(call.args[0].input));
    expect(keys.join()).not.toContain(key);
    dynamo.reset();
    dynamo.on(GetCommand).resolves({});
    await expect(handler(httpEvent(`Bearer ${key}`), context)).rejects.toThrow(/^Unauthorized$/);
  });

  it('answers the WebSocket $connect with an Allow policy carrying the user, from the token query parameter', async () => {
    expect(await handler(connectEvent(await token()), context)).toEqual({
      principalId: 'user-ann',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: connectEvent().methodArn }],
      },
      context: { userId: 'user-ann', via: 'token', name: 'ann@example.com', email: 'ann@example.com' },
    });
    await expect(handler(connectEvent(), context)).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(connectEvent(await token({}, { expires: -10 })), context)).rejects.toThrow(
      /^Unauthorized$/,
    );
  });
});
