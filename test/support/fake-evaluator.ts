import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  at: number;
  contentType: string | undefined;
  body: Record<string, unknown>;
  status: number;
}

/**
 * The evaluator's `evaluation_url` on loopback: records every POST (its time, content type and JSON
 * body) and answers the scripted statuses in turn, then `otherwise` (200 unless told).
 */
export class FakeEvaluator {
  readonly received: ReceivedNotification[] = [];
  #script: number[] = [];
  #otherwise = 200;
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeEvaluator> {
    let evaluator: FakeEvaluator | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        evaluator?.answer(request.headers['content-type'], Buffer.concat(chunks), response),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    evaluator = new FakeEvaluator(server, `http://127.0.0.1:${port}/evaluate`);
    return evaluator;
  }

  /** Answers `statuses` to the next POSTs in order, then `otherwise`. */
  script(statuses: number[], otherwise = 200): void {
    this.#script = [...statuses];
    this.#otherwise = otherwise;
  }

  reset(): void {
    this.received.length = 0;
    this.script([]);
  }

  /** For one task round: its notifications in order. */
  for(task: string, round = 1): ReceivedNotification[] {
    return this.received.filter((entry) => entry.body.task === task && entry.body.round === round);
  }

  /** Resolves once at least `count` notifications have arrived. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(contentType: string | undefined, raw: Buffer, response: import('node:http').ServerResponse) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      // Recorded as an empty body: the test's assertions on it will say what was wrong.
    }
    const status = this.#script.shift() ?? this.#otherwise;
    this.received.push({ at: Date.now(), contentType, body, status });
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(status === 200 ? { status: 'ok' } : { error: 'not accepted' }));
    for (const waiter of this.#waiters.filter((entry) => this.received.length >= entry.count))
      waiter.resolve();
    this.#waiters = this.#waiters.filter((entry) => this.received.length < entry.count);
  }
}
