import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalStack } from '../../infra/local/local-stack.js';

/*
 * Accepting evaluator tasks: bursts of 10 tasks at once (the worked example, each with its own
 * nonce) against the local stack — while the tasks it accepted earlier are being built and checked
 * in browsers — alternating with the same bursts to a bare `node:http` server that parses the body
 * and answers 200. The promise is p99 under 1 s; the ratio says what the stack costs over bare.
 */

const BURST = 10;
const BURSTS = 5;
const FIXTURE = new URL('../fixtures/task-llmpages.json', import.meta.url);

export interface TaskAcceptFigures {
  stack: { p50: number; p99: number; count: number };
  bare: { p50: number; p99: number; count: number };
}

function bareServer(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { task?: unknown; round?: unknown };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'accepted', task: body.task, round: body.round }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function burst(url: string, bodies: string[]): Promise<number[]> {
  return Promise.all(
    bodies.map(async (body) => {
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`a task was answered ${response.status}`);
      return performance.now() - started;
    }),
  );
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** The stack must have been started with TASK_SECRET=bench-secret and loopback callbacks allowed. */
export async function taskAcceptBench(stack: LocalStack): Promise<TaskAcceptFigures> {
  const example = JSON.parse(await readFile(FIXTURE, 'utf8')) as Record<string, unknown>;
  const bodies = (round: number) =>
    Array.from({ length: BURST }, (_, i) =>
      JSON.stringify({
        ...example,
        secret: 'bench-secret',
        task: `bench-${round}-${i}`,
        nonce: `nonce-${round}-${i}`,
      }),
    );
  const server = await bareServer();
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/tasks`;
  const stackTimes: number[] = [];
  const bareTimes: number[] = [];
  try {
    await burst(bareUrl, bodies(-1)); // warm-up: connections, JIT
    for (let round = 0; round < BURSTS; round += 1) {
      stackTimes.push(...(await burst(`${stack.httpUrl}/v1/tasks`, bodies(round))));
      bareTimes.push(...(await burst(bareUrl, bodies(round))));
    }
  } finally {
    server.close();
  }
  const figures = (times: number[]) => ({
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    count: times.length,
  });
  return { stack: figures(stackTimes), bare: figures(bareTimes) };
}
