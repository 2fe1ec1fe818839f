import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The round an evaluator sent out: a notification is for it only if it names all four exactly. */
export interface SentRound {
  email: string;
  task: string;
  round: number;
  nonce: string;
}

/** One POST the evaluator received, with its answer. */
export interface Receipt {
  at: string;
  contentType: string | undefined;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  status: number;
  /** Why it was refused; absent when it was accepted. */
  reason?: string;
}

/** A notification is a few hundred bytes; anything far bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;
const PATH = '/evaluate';
const NAMED_FIELDS = ['email', 'task', 'round', 'nonce'] as const;
const PUBLISHED_FIELDS = ['repo_url', 'commit_sha', 'pages_url'] as const;

/**
 * An evaluator's `evaluation_url` on 127.0.0.1, for the task demo. It answers a POST as the real
 * evaluator does: 200 only for a JSON notification naming the round it sent (email, task, round and
 * nonce equal) with the published repo, commit and pages URL; 400 saying why otherwise. It keeps
 * every POST it received, so the demo can show and check what really arrived.
 */
export class LocalEvaluator {
  readonly #received: Receipt[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly sent: SentRound,
  ) {}

  static async start(sent: SentRound): Promise<LocalEvaluator> {
    let evaluator: LocalEvaluator | undefined;
    const server = createServer((request, response) => evaluator?.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    evaluator = new LocalEvaluator(server, `http://127.0.0.1:${port}${PATH}`, sent);
    return evaluator;
  }

  /** Every POST so far, in the order it arrived. */
  get received(): readonly Receipt[] {
    return this.#received;
  }

  /** The POSTs it answered 200. */
  accepted(): Receipt[] {
    return this.#received.filter((receipt) => receipt.status === 200);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== PATH) {
      answer(response, 404, { error: 'not found' });
      return;
    }
    if (request.method !== 'POST') {
      answer(response, 405, { error: 'POST only' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Kept reading (not destroyed) so the sender gets the 400 rather than a reset connection.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      const contentType = request.headers['content-type'];
      const text = Buffer.concat(chunks).toString('utf8');
      const { body, reason } =
        size > MAX_BODY_BYTES
          ? { body: text, reason: `the body is over ${MAX_BODY_BYTES} bytes` }
          : this.judge(contentType, text);
      const status = reason === undefined ? 200 : 400;
      this.#received.push({
        at: new Date().toISOString(),
        contentType,
        body,
        status,
        ...(reason === undefined ? {} : { reason }),
      });
      answer(response, status, reason === undefined ? { status: 'ok' } : { error: reason });
    });
  }

  /** The body as read, and why it is refused (undefined when it is accepted). */
  private judge(contentType: string | undefined, text: string): { body: unknown; reason?: string } {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { body: text, reason: 'the body is not JSON' };
    }
    if (!/^application\/json\b/i.test(contentType ?? ''))
      return { body, reason: 'the content type must be application/json' };
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return { body, reason: 'the body must be a JSON object' };
    const fields = body as Record<string, unknown>;
    const wrong = NAMED_FIELDS.filter((field) => fields[field] !== this.sent[field]);
    if (wrong.length > 0) return { body, reason: `not the round sent: ${wrong.join(', ')} differ` };
    const missing = PUBLISHED_FIELDS.filter(
      (field) => typeof fields[field] !== 'string' || (fields[field] as string).trim() === '',
    );
    if (missing.length > 0) return { body, reason: `missing ${missing.join(', ')}` };
    return { body };
  }
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
