import '../../infra/local/polyfills.js';
import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LocalGateway } from '../../infra/local/gateway.js';
import { LocalStateMachine } from '../../infra/local/state-machine-runner.js';
import { MAX_REQUEST_BODY_BYTES, MAX_WS_MESSAGE_BYTES } from '../../shared/domain/limits.js';

const MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:gw-test';
const httpEvents: APIGatewayProxyEventV2[] = [];
const wsEvents: APIGatewayProxyWebsocketEventV2[] = [];
const machineInputs: unknown[] = [];
let gateway: LocalGateway;
let base: string;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  const machine = new LocalStateMachine(
    MACHINE_ARN,
    { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } as never,
    {},
    () => undefined,
  );
  const original = machine.start.bind(machine);
  machine.start = (input, name) => {
    machineInputs.push(input);
    return original(input, name);
  };
  gateway = new LocalGateway(
    {
      http: async (event) => {
        httpEvents.push(event as APIGatewayProxyEventV2);
        return { statusCode: 201, headers: { 'content-type': 'text/plain' }, body: 'handled' };
      },
      wsConnect: async (event) => wsEvents.push(event as APIGatewayProxyWebsocketEventV2),
      wsDisconnect: async (event) => wsEvents.push(event as APIGatewayProxyWebsocketEventV2),
      wsDefault: async (event) => wsEvents.push(event as APIGatewayProxyWebsocketEventV2),
    },
    () => machine,
    { info: () => undefined, error: () => undefined },
  );
  const port = await gateway.listen(0);
  base = `http://127.0.0.1:${port}`;
  gateway.markReady();
});

afterAll(async () => {
  await gateway.close();
});

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Class: LocalGateway', () => {
  it('turns an HTTP request into an HTTP API v2 event and returns the handler response', async () => {
    const response = await fetch(`${base}/v1/fixes?x=1`, { method: 'POST', body: '{"code":"x"}' });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('handled');
    const event = httpEvents.at(-1);
    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/v1/fixes',
      rawQueryString: 'x=1',
      body: '{"code":"x"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/v1/fixes' } },
    });
  });

  it('answers 413 naming the body when it is over what a Lambda invocation can carry', async () => {
    const before = httpEvents.length;
    const response = await fetch(`${base}/v1/fixes`, {
      method: 'POST',
      body: 'x'.repeat(MAX_REQUEST_BODY_BYTES + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ field: 'body' });
    expect(httpEvents.length).toBe(before);
    const atLimit = await fetch(`${base}/v1/fixes`, {
      method: 'POST',
      body: 'x'.repeat(MAX_REQUEST_BODY_BYTES),
    });
    expect(atLimit.status).toBe(201);
  });

  it('serves StartExecution to the real SFN client', async () => {
    const sfn = new SFNClient({ endpoint: base, region: 'us-east-1', credentials });
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'once', input: '{"sessionId":"s"}' }),
    );
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:gw-test:once');
    expect(started.startDate).toBeInstanceOf(Date);
    expect(machineInputs).toContainEqual({ sessionId: 's' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'once', input: '{}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE_ARN}-other`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('delivers WebSocket connect/message/disconnect events and pushes through @connections', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    const received: string[] = [];
    socket.on('message', (data) => received.push(data.toString()));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('{"action":"ping"}');
    const message = await waitFor(
      () => wsEvents.find((event) => event.requestContext.eventType === 'MESSAGE'),
      'the message event',
    );
    expect(message.body).toBe('{"action":"ping"}');
    const connectionId = message.requestContext.connectionId;
    expect(wsEvents[0]?.requestContext).toMatchObject({
      eventType: 'CONNECT',
      routeKey: '$connect',
      connectionId,
    });

    const management = new ApiGatewayManagementApiClient({
      endpoint: `${base}/local`,
      region: 'us-east-1',
      credentials,
    });
    await management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{"hello":1}') }),
    );
    await waitFor(() => (received.length > 0 ? received : undefined), 'the pushed message');
    expect(received).toEqual(['{"hello":1}']);
    const info = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);

    socket.close();
    await waitFor(
      () => wsEvents.find((event) => event.requestContext.eventType === 'DISCONNECT'),
      'the disconnect event',
    );
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('late') })),
    ).rejects.toBeInstanceOf(GoneException);
  });
});

describe('Class: LocalGateway, message sizes', () => {
  it('closes a WebSocket that sends a message over 32 KB, as API Gateway refuses such a frame', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
  });
});

describe('Class: LocalGateway, before it is ready', () => {
  it('answers clients 503 with Retry-After (never 500) until every handler is wired', async () => {
    // Prepare: a gateway whose handlers would fail, as they do before the stack has loaded them.
    const starting = new LocalGateway(
      {
        http: async () => {
          throw new Error('the http-api function is not ready');
        },
        wsConnect: async () => undefined,
        wsDisconnect: async () => undefined,
        wsDefault: async () => undefined,
      },
      () => {
        throw new Error('the state machine is not ready');
      },
      { info: () => undefined, error: () => undefined },
    );
    const port = await starting.listen(0);
    try {
      // Act
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      const post = await fetch(`http://127.0.0.1:${port}/v1/fixes`, { method: 'POST', body: '{}' });
      const upgrade = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('error', () => resolve(-1));
      });

      // Assess
      for (const response of [health, post]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(await response.json()).toMatchObject({ error: expect.stringContaining('starting') });
      }
      expect(upgrade).toBe(503);
      expect(starting.ready).toBe(false);
    } finally {
      await starting.close();
    }
  });
});
