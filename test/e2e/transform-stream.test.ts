import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_USER } from '../../infra/local/local-issuer.js';
import type { DatasetView } from '../../shared/kinds/transform/use-cases/upload-dataset.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';

/**
 * The text streams with a model key set: a loopback server speaking DeepSeek's (OpenAI's) streaming
 * chat completions, the real openai SDK pointed at it, and the events timed where the client reads
 * them — through the local gateway, and from the streaming handler called as a function URL calls it.
 */

const PIECES = ['## Objective\n\nTotal ', 'the amount ', 'per region.\n\n', '## Input columns\n'];
const GAP_MS = 150;
let fake: Server;
let fakeUrl: string;
/** What the fake does after its second piece: go on, or drop the connection. */
let breakMidway = false;
let fixture: StackFixture;
let dataset: DatasetView;

beforeAll(async () => {
  fake = createServer((request, response) => {
    request.resume();
    request.on('end', async () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const [at, piece] of PIECES.entries()) {
        if (breakMidway && at === 2) {
          response.destroy();
          return;
        }
        const chunk = {
          id: 'c1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'fake',
          choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
        };
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
        await new Promise((done) => setTimeout(done, GAP_MS));
      }
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  fixture = await startStackFixture({
    DEEPSEEK_API_KEY: 'sk-test-fake-key-000000000000',
    DEEPSEEK_BASE_URL: fakeUrl,
  });
  const form = new FormData();
  form.append('file', new Blob(['region,amount\nnorth,1.5\nsouth,2\n'], { type: 'text/csv' }), 'small.csv');
  const response = await fetch(`${fixture.stack.httpUrl}/v1/datasets`, { method: 'POST', body: form });
  dataset = (await response.json()) as DatasetView;
}, 120_000);

afterAll(async () => {
  await fixture?.stop();
  await new Promise((done) => fake?.close(done));
});

interface Timed {
  at: number;
  data: { chunk?: string; done: boolean; error?: string };
}

/** The events of a stream as they arrive, each with the time it was read. */
function eventsOf(text: string, at: number): Timed[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => ({ at, data: JSON.parse(block.slice('data: '.length)) }));
}

describe('POST /v1/transforms/refine through the local gateway', () => {
  it('reaches the client chunk by chunk, as the model writes, with the stream headers', async () => {
    // Act
    const started = Date.now();
    const response = await fetch(`${fixture.stack.httpUrl}/v1/transforms/refine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datasetId: dataset.datasetId, instruction: 'total the amount per region' }),
    });
    const events: Timed[] = [];
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(bytes, { stream: true });
      const end = buffered.lastIndexOf('\n\n');
      if (end < 0) continue;
      events.push(...eventsOf(buffered.slice(0, end + 2), Date.now() - started));
      buffered = buffered.slice(end + 2);
    }

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(events.map((event) => event.data)).toEqual([
      ...PIECES.map((chunk) => ({ chunk, done: false })),
      { done: true },
    ]);
    // The first piece was read while the model still had three gaps of writing ahead of it.
    const first = events[0]?.at ?? 0;
    const last = events.at(-1)?.at ?? 0;
    expect(last - first).toBeGreaterThanOrEqual(GAP_MS * 2.5);
  });

  it('ends with an error event when the model fails mid-answer, after what it had written', async () => {
    breakMidway = true;
    try {
      const response = await fetch(`${fixture.stack.httpUrl}/v1/transforms/refine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ datasetId: dataset.datasetId, instruction: 'total the amount per region' }),
      });
      const events = eventsOf(await response.text(), 0).map((event) => event.data);

      expect(events.slice(0, 2)).toEqual(PIECES.slice(0, 2).map((chunk) => ({ chunk, done: false })));
      expect(events.at(-1)).toEqual({ error: 'the text could not be written; try again', done: true });
      expect(JSON.stringify(events)).not.toContain('sk-test');
    } finally {
      breakMidway = false;
    }
  });

  it('refuses before streaming: 400 naming the field, 404 for a dataset not the caller’s', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${fixture.stack.httpUrl}/v1/transforms/refine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const other = await fixture.stack.issuer.sign({ sub: 'someone-else', name: 'Other' });

    const missing = await post({ datasetId: dataset.datasetId });
    const theirs = await post(
      { datasetId: dataset.datasetId, instruction: 'x' },
      { authorization: `Bearer ${other}` },
    );
    const forged = await post(
      { datasetId: dataset.datasetId, instruction: 'x' },
      { authorization: 'Bearer not-a-token' },
    );

    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ field: 'instruction' });
    expect(theirs.status).toBe(404);
    expect(forged.status).toBe(401);
  });
});

describe('The streaming handler, invoked as a function URL invokes it', () => {
  it('writes the prelude, then each event as the model writes it', async () => {
    // Prepare: the stack has set this process's environment, as the function's would be.
    const { handler } = (await import('../../lambdas/transform-stream/handler.js')) as unknown as {
      handler: (event: APIGatewayProxyEventV2, stream: Writable, context: Context) => Promise<void>;
    };
    const token = await fixture.stack.issuer.sign(DEFAULT_LOCAL_USER);
    const writes: Array<{ at: number; text: string }> = [];
    const started = Date.now();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push({ at: Date.now() - started, text: Buffer.from(chunk).toString('utf8') });
        done();
      },
    });
    const body = JSON.stringify({ datasetId: dataset.datasetId, instruction: 'total the amount per region' });
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/transforms/refine',
      rawQueryString: '',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'url-id',
        domainName: 'url-id.lambda-url.eu-west-1.on.aws',
        domainPrefix: 'url-id',
        http: {
          method: 'POST',
          path: '/v1/transforms/refine',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test',
        },
        requestId: 'r1',
        routeKey: '$default',
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    } as APIGatewayProxyEventV2;

    // Act
    await handler(event, stream, { getRemainingTimeInMillis: () => 60_000 } as Context);

    // Assess
    const all = writes.map((write) => write.text).join('');
    const preludeEnd = all.indexOf('\u0000'.repeat(8));
    expect(JSON.parse(all.slice(0, preludeEnd))).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    });
    const eventWrites = writes.filter((write) => write.text.startsWith('data: '));
    expect(eventWrites.map((write) => JSON.parse(write.text.slice(6)))).toEqual([
      ...PIECES.map((chunk) => ({ chunk, done: false })),
      { done: true },
    ]);
    expect((eventWrites.at(-1)?.at ?? 0) - (eventWrites[0]?.at ?? 0)).toBeGreaterThanOrEqual(GAP_MS * 2.5);
  });
});
