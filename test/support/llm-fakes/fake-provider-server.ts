import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the fake does with one request. */
export type Scripted =
  | { status: number; headers?: Record<string, string>; body: string | object }
  /** Never answers: the client's own timeout has to end the call. */
  | { hang: true };

/**
 * A loopback HTTP server that answers one provider route with scripted responses, and records what the
 * real SDK sent. A request to any other route gets 404, so a wrong path fails the test.
 */
export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  readonly #hung = new Set<ServerResponse>();
  #queue: Scripted[] = [];
  #fallback: Scripted = { status: 500, body: { error: { message: 'fake: nothing scripted' } } };

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(route: { method: string; path: RegExp }): Promise<FakeProviderServer> {
    let fake: FakeProviderServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        const body = Buffer.concat(chunks).toString('utf8');
        fake?.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
        if (req.method !== route.method || !route.path.test(path.split('?')[0] ?? '')) {
          send(res, { status: 404, body: { error: { message: `fake: no route ${req.method} ${path}` } } });
          return;
        }
        if (!fake) return;
        const scripted = fake.next();
        if ('hang' in scripted) fake.#hung.add(res);
        else send(res, scripted);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeProviderServer(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Answers the next requests in order; once used up, the `always` answer (default 500) applies. */
  enqueue(...responses: Scripted[]): void {
    this.#queue.push(...responses);
  }

  always(response: Scripted): void {
    this.#fallback = response;
  }

  reset(): void {
    this.requests.length = 0;
    this.#queue = [];
    this.#fallback = { status: 500, body: { error: { message: 'fake: nothing scripted' } } };
    // Hung requests from the last test would otherwise keep their sockets. Idle keep-alive sockets
    // stay: destroying them under a client's connection pool makes its next request fail at random.
    for (const res of this.#hung) res.socket?.destroy();
    this.#hung.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private next(): Scripted {
    return this.#queue.shift() ?? this.#fallback;
  }
}

function send(res: ServerResponse, scripted: Exclude<Scripted, { hang: true }>): void {
  const isText = typeof scripted.body === 'string';
  const body = isText ? (scripted.body as string) : JSON.stringify(scripted.body);
  res.writeHead(scripted.status, {
    'content-type': isText ? 'text/plain' : 'application/json',
    ...scripted.headers,
  });
  res.end(body);
}
