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

  it('answers 413 naming the body when it is over 10 MiB', async () => {
    const before = httpEvents.length;
    const response = await fetch(`${base}/v1/fixes`, {
      method: 'POST',
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ field: 'body' });
    expect(httpEvents.length).toBe(before);
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
