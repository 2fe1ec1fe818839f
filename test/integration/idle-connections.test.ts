import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb } from '../../infra/local/dynamodb-server.js';
import { LocalGateway } from '../../infra/local/gateway.js';
import { LocalStateMachine } from '../../infra/local/state-machine-runner.js';
import { portsAcrossIdle } from '../support/idle-connection.js';

/*
 * The SDK clients keep their connections to the local endpoints open between calls. A server that
 * closes an idle one after Node's default 5 s races the client's next request on it: a burst after
 * a lull then fails with "socket hang up", retries included, when all its sockets went idle at once.
 * AWS endpoints keep idle connections far longer; so do the local ones.
 */
const IDLE_MS = 7_000;
let dir: string;
let dynamodb: Awaited<ReturnType<typeof startLocalDynamoDb>>;
let gateway: LocalGateway;
let gatewayUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'te-idle-'));
  dynamodb = await startLocalDynamoDb({ path: dir, tableName: 'truth-engine', region: 'us-east-1' });
  const machine = new LocalStateMachine(
    'arn:aws:states:us-east-1:000000000000:stateMachine:idle-test',
    { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } as never,
    {},
    () => undefined,
  );
  gateway = new LocalGateway(
    {
      http: async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }),
      wsDefault: async () => undefined,
    },
    () => machine,
    { info: () => undefined, error: () => undefined },
  );
  gatewayUrl = `http://127.0.0.1:${await gateway.listen(0)}`;
  gateway.markReady();
});

afterAll(async () => {
  await gateway?.close();
  await dynamodb?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('idle keep-alive connections to the local endpoints', () => {
  it('stay open past 7 s on the gateway and on dynalite', { timeout: 30_000 }, async () => {
    const [gatewayPorts, dynamodbPorts] = await Promise.all([
      portsAcrossIdle(`${gatewayUrl}/health`, IDLE_MS),
      portsAcrossIdle(dynamodb.endpoint, IDLE_MS, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
        },
        body: '{}',
      }),
    ]);
    expect(gatewayPorts[1]).toBe(gatewayPorts[0]);
    expect(dynamodbPorts[1]).toBe(dynamodbPorts[0]);
  });
});
