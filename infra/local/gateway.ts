import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { WebSocket, WebSocketServer } from 'ws';
import type { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';
import type { PagesHandler } from '../../shared/adapters/pages-local/pages-handler.js';
import {
  fileTooLarge,
  MAX_DIRECT_UPLOAD_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_WS_MESSAGE_BYTES,
  MULTIPART_OVERHEAD_BYTES,
  requestBodyTooLarge,
} from '../../shared/domain/limits.js';
import { INTERNAL_FAULT, refusalOf } from '../../shared/edge/refusal.js';
import { type MatchedRoute, matchRoute } from '../../shared/edge/routes.js';
import { httpApiEvent, webSocketEvent } from './api-events.js';
import { serveArtifact } from './artifact-routes.js';
import type { LocalIssuer } from './local-issuer.js';
import { ExecutionAlreadyExistsError, type LocalStateMachine } from './state-machine-runner.js';

/** Seconds a client is told to wait while the stack is still starting. */
const STARTING_RETRY_AFTER_S = 1;
/** How long an idle keep-alive connection stays open (longer than any lull between SDK calls). */
const IDLE_CONNECTION_MS = 65_000;

export interface GatewayHandlers {
  http: (event: unknown) => Promise<unknown>;
  /** The streaming function behind the `stream` routes (a function URL in AWS); each write as it is made. */
  stream?: (event: unknown, onChunk: (chunk: Buffer) => void) => Promise<unknown>;
  /** The `$connect` and `$disconnect` routes, when the API has them (as in API Gateway, both are optional). */
  wsConnect?: (event: unknown) => Promise<unknown>;
  wsDisconnect?: (event: unknown) => Promise<unknown>;
  wsDefault: (event: unknown) => Promise<unknown>;
  /**
   * The Lambda authorizer, run as API Gateway runs it: before every `user` route of the HTTP API and
   * before the WebSocket `$connect`. Without one, requests reach the routes with no principal.
   */
  authorize?: (event: unknown) => Promise<unknown>;
}

/** The local stack's identity: its issuer's routes, and whether a request with no credential is signed in. */
export interface GatewayAuth {
  issuer: LocalIssuer;
  /** AUTH=auto: a token for the default user, put on a request that carries no credential. */
  autoSignIn?: () => Promise<string>;
}

/** What API Gateway answers when its authorizer refuses; the body is API Gateway's own. */
interface AuthRefusal {
  status: 401 | 403 | 500;
  message: string;
}

const UNAUTHORIZED: AuthRefusal = { status: 401, message: 'Unauthorized' };
const FORBIDDEN: AuthRefusal = { status: 403, message: 'Forbidden' };
const AUTHORIZER_FAULT: AuthRefusal = { status: 500, message: 'Internal Server Error' };

/** How API Gateway reads an authorizer's failure: exactly "Unauthorized" is a 401, anything else a 500. */
function authorizerFailure(error: unknown): AuthRefusal {
  return error instanceof Error && error.message === 'Unauthorized' ? UNAUTHORIZED : AUTHORIZER_FAULT;
}

/** Answers a request with a console file and returns true, or returns false to let the API answer. */
export type ConsoleFiles = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface GatewayLog {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

interface Connection {
  socket: WebSocket;
  connectedAt: Date;
  lastActiveAt: Date;
  sourceIp: string;
  userAgent: string;
}

class PayloadTooLargeError extends Error {
  constructor() {
    super('request body too large');
    this.name = 'PayloadTooLargeError';
  }
}

/**
 * One loopback port serving what API Gateway and Step Functions serve in AWS: the HTTP API, the
 * WebSocket API at `/ws`, its management endpoint `/{stage}/@connections/{id}`, and StartExecution
 * (AWS JSON protocol) for the state machine — so the handlers' SDK calls work unchanged.
 */
export class LocalGateway {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  private pendingMessages = new Set<Promise<unknown>>();
  /** Clients are served only once every handler and the state machine are wired (`markReady`). */
  private serving = false;

  constructor(
    private readonly handlers: GatewayHandlers,
    /** The state machines StartExecution may name (one per kind). */
    private readonly machine: () => LocalStateMachine | readonly LocalStateMachine[],
    private readonly log: GatewayLog,
    readonly stage = 'local',
    /** Serves presigned artifact URLs, as S3 does for the bucket's. */
    private readonly artifacts?: FileArtifactStore,
    /** Serves the local publisher's repositories at `/pages/<owner>/<repo>/`, as GitHub Pages would. */
    private readonly pages?: PagesHandler,
    /** Serves the web console's files at `/` (what the API's routes do not own). */
    private readonly consoleFiles?: ConsoleFiles,
    private auth?: GatewayAuth,
  ) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.log.error('gateway request failed', { error: String(error) });
        if (!response.headersSent) send(response, 500, { error: 'internal error' });
        else response.end();
      });
    });
    // The functions' SDK clients keep their connections open between calls, as AWS endpoints let
    // them: closed after Node's default 5 s, a burst after a lull would race the close on every
    // socket at once and fail with "socket hang up", retries included.
    this.server.keepAliveTimeout = IDLE_CONNECTION_MS;
    this.server.headersTimeout = IDLE_CONNECTION_MS + 1000;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (!this.serving) {
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${STARTING_RETRY_AFTER_S}\r\nConnection: close\r\n\r\n`,
        );
        return;
      }
      // API Gateway connection ids are base64-like and may need URL-encoding; keep that shape.
      const connectionId = randomBytes(9).toString('base64');
      void this.authorizeConnect(request, url, connectionId).then(
        (authorizer) => {
          if ('status' in authorizer) {
            const reason =
              authorizer.status === 401
                ? 'Unauthorized'
                : authorizer.status === 403
                  ? 'Forbidden'
                  : 'Internal Server Error';
            socket.end(`HTTP/1.1 ${authorizer.status} ${reason}\r\nConnection: close\r\n\r\n`);
            return;
          }
          this.wss.handleUpgrade(
            request,
            socket,
            head,
            (ws) => void this.accept(ws, request, connectionId, authorizer),
          );
        },
        (error: unknown) => {
          this.log.error('connect authorizer failed', { error: String(error) });
          socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n');
        },
      );
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** The issuer and sign-in policy, once the port (the issuer's name) is known. */
  useAuth(auth: GatewayAuth): void {
    this.auth = auth;
  }

  /** From now on the HTTP API and the WebSocket API are served; before, clients get 503 + Retry-After. */
  markReady(): void {
    this.serving = true;
  }

  get ready(): boolean {
    return this.serving;
  }

  /** Closes every socket, waits for messages being handled, and stops listening. */
  async close(): Promise<void> {
    // Wait for every socket's close (its $disconnect handler runs then) before the handlers' stores go.
    const closed = [...this.connections.values()].map(
      ({ socket }) =>
        new Promise<void>((resolve) => {
          const force = setTimeout(() => socket.terminate(), 1000);
          socket.once('close', () => {
            clearTimeout(force);
            resolve();
          });
          socket.close(1001, 'server shutting down');
        }),
    );
    await Promise.all(closed);
    await Promise.allSettled([...this.pendingMessages]);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // Pages are public, like github.io: served before (and regardless of) the API's readiness.
    if (this.pages?.(request, response)) return;
    if (this.artifacts && (url.pathname === '/artifacts' || url.pathname.startsWith('/artifacts/'))) {
      await serveArtifact(this.artifacts, request, url, response);
      return;
    }
    // A dataset upload may carry a larger (binary) body than any other route, up to what a Lambda
    // invocation takes once it is base64-encoded; refused unread past its cap, as every body is.
    const upload = request.method === 'POST' && url.pathname === '/v1/datasets';
    const limit = upload ? MAX_DIRECT_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES : MAX_REQUEST_BODY_BYTES;
    let bytes: Buffer | undefined;
    try {
      bytes = await readBody(request, limit);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        // The rest of the body is never read: close the connection so no client reuses it mid-stream.
        response.setHeader('connection', 'close');
        // Answered as the HTTP API function answers a body over the same cap.
        const refused = refusalOf(upload ? fileTooLarge() : requestBodyTooLarge()) ?? INTERNAL_FAULT;
        send(response, refused.statusCode, refused.body);
        return;
      }
      throw error;
    }
    const body = bytes?.toString('utf8');
    // The issuer is public, as Cognito's hosted UI and JWKS are: served while the API still starts.
    if (this.auth && (await this.auth.issuer.handle(request, response, url, body))) return;
    const target = request.headers['x-amz-target'];
    if (request.method === 'POST' && url.pathname === '/' && typeof target === 'string') {
      this.stepFunctions(target, body, response);
      return;
    }
    const management = new RegExp(`^/${this.stage}/@connections/([^/]+)$`).exec(url.pathname);
    if (management?.[1]) {
      this.manage(request.method ?? 'GET', decodeURIComponent(management[1]), body, response);
      return;
    }
    // The console is static files: served while the API still starts (the page retries on 503).
    if (this.consoleFiles && (await this.consoleFiles(request, response))) return;
    if (!this.serving) {
      response.writeHead(503, {
        'content-type': 'application/json',
        'retry-after': String(STARTING_RETRY_AFTER_S),
      });
      response.end(JSON.stringify({ error: 'the stack is starting; retry shortly' }));
      return;
    }
    const event = httpApiEvent(request, url, bytes);
    const matched = matchRoute(event.requestContext.http.method, url.pathname);
    if (matched) {
      event.routeKey = `${matched.route.method} ${matched.route.path}`;
      event.requestContext.routeKey = event.routeKey;
      if (Object.keys(matched.params).length > 0) event.pathParameters = matched.params;
    }
    if (matched?.route.stream && this.handlers.stream) {
      await this.serveStream(event, response);
      return;
    }
    if (matched?.route.auth === 'user') {
      const refused = await this.authorizeHttp(event, matched);
      if (refused) {
        response.writeHead(refused.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: refused.message }));
        return;
      }
    }
    const result = (await this.handlers.http(event)) as APIGatewayProxyStructuredResultV2;
    response.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
    response.end(
      result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''),
    );
  }

  /**
   * A function URL in RESPONSE_STREAM mode: the function writes the prelude (status and headers as
   * JSON, then eight NUL bytes), then the body, which goes to the client write by write. The
   * function checks the bearer itself; with AUTH=auto a request without one is the default user's,
   * as on every other route.
   */
  private async serveStream(event: ReturnType<typeof httpApiEvent>, response: ServerResponse): Promise<void> {
    if (!event.headers.authorization && this.auth?.autoSignIn) {
      event.headers.authorization = `Bearer ${await this.auth.autoSignIn()}`;
    }
    let pending = Buffer.alloc(0);
    let started = false;
    const onChunk = (chunk: Buffer) => {
      if (started) {
        response.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf(PRELUDE_END);
      if (end < 0) return;
      const prelude = JSON.parse(pending.subarray(0, end).toString('utf8')) as {
        statusCode?: number;
        headers?: Record<string, string>;
      };
      response.writeHead(prelude.statusCode ?? 200, prelude.headers ?? {});
      // Each event leaves at once: no Nagle delay between small writes.
      response.socket?.setNoDelay(true);
      started = true;
      const rest = pending.subarray(end + PRELUDE_END.length);
      if (rest.length > 0) response.write(rest);
    };
    try {
      await this.handlers.stream?.(event, onChunk);
    } catch (error) {
      if (!started) {
        send(response, 502, { message: 'Internal Server Error' });
        return;
      }
      this.log.error('stream failed after it began', { error: String(error) });
    }
    if (!started) response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end();
  }

  /**
   * The HTTP API's Lambda authorizer (payload 2.0, simple responses, identity source the
   * `Authorization` header): no header is a 401 without calling it, as API Gateway does; its context
   * goes to the route as `requestContext.authorizer.lambda`. Returns the refusal, if refused.
   */
  private async authorizeHttp(
    event: ReturnType<typeof httpApiEvent>,
    matched: MatchedRoute,
  ): Promise<AuthRefusal | undefined> {
    // An API without an authorizer passes requests on bare; the handlers then refuse them unproved.
    if (!this.handlers.authorize) return undefined;
    if (!event.headers.authorization && this.auth?.autoSignIn) {
      event.headers.authorization = `Bearer ${await this.auth.autoSignIn()}`;
    }
    const header = event.headers.authorization;
    if (!header) return UNAUTHORIZED;
    const { method, path } = matched.route;
    let result: { isAuthorized?: unknown; context?: Record<string, unknown> };
    try {
      result = (await this.handlers.authorize({
        version: '2.0',
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${method}${event.rawPath}`,
        identitySource: [header],
        routeKey: `${method} ${path}`,
        rawPath: event.rawPath,
        rawQueryString: event.rawQueryString,
        headers: event.headers,
        ...(event.queryStringParameters ? { queryStringParameters: event.queryStringParameters } : {}),
        ...(event.pathParameters ? { pathParameters: event.pathParameters } : {}),
        requestContext: event.requestContext,
      })) as typeof result;
    } catch (error) {
      return authorizerFailure(error);
    }
    if (result?.isAuthorized !== true) return FORBIDDEN;
    (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: result.context ?? {} };
    return undefined;
  }

  /**
   * The WebSocket API's `$connect` authorizer (identity source the `token` query parameter): no
   * token is a 401; an Allow policy admits the connection with the policy's context.
   */
  private async authorizeConnect(
    request: IncomingMessage,
    url: URL,
    connectionId: string,
  ): Promise<AuthRefusal | Record<string, unknown>> {
    if (!this.handlers.authorize) return {};
    let token = url.searchParams.get('token');
    if (!token && this.auth?.autoSignIn) token = await this.auth.autoSignIn();
    if (!token) return UNAUTHORIZED;
    const methodArn = `arn:aws:execute-api:us-east-1:000000000000:local/${this.stage}/$connect`;
    let result: {
      principalId?: string;
      policyDocument?: { Statement?: Array<{ Effect?: string }> };
      context?: Record<string, unknown>;
    };
    try {
      result = (await this.handlers.authorize({
        type: 'REQUEST',
        methodArn,
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(',') : value,
          ]),
        ),
        queryStringParameters: { ...Object.fromEntries(url.searchParams), token },
        requestContext: {
          routeKey: '$connect',
          eventType: 'CONNECT',
          connectionId,
          stage: this.stage,
          apiId: 'local',
        },
      })) as typeof result;
    } catch (error) {
      return authorizerFailure(error);
    }
    const statements = result?.policyDocument?.Statement ?? [];
    const allowed = statements.length > 0 && statements.every((statement) => statement.Effect === 'Allow');
    if (!allowed) return FORBIDDEN;
    return { principalId: result.principalId, ...result.context };
  }

  private stepFunctions(target: string, body: string | undefined, response: ServerResponse): void {
    const awsJson = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(payload));
    };
    if (target !== 'AWSStepFunctions.StartExecution') {
      awsJson(400, { __type: 'UnknownOperationException', message: `${target} is not served locally` });
      return;
    }
    const request = JSON.parse(body ?? '{}') as { stateMachineArn?: string; name?: string; input?: string };
    const machines = this.machine();
    const machine = (Array.isArray(machines) ? machines : [machines]).find(
      (candidate: LocalStateMachine) => candidate.arn === request.stateMachineArn,
    );
    if (!machine) {
      awsJson(400, {
        __type: 'StateMachineDoesNotExist',
        message: `no state machine ${request.stateMachineArn}`,
      });
      return;
    }
    try {
      const started = machine.start(JSON.parse(request.input ?? '{}'), request.name);
      awsJson(200, { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 });
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError) {
        awsJson(400, { __type: 'ExecutionAlreadyExists', message: error.message });
        return;
      }
      throw error;
    }
  }

  private manage(
    method: string,
    connectionId: string,
    body: string | undefined,
    response: ServerResponse,
  ): void {
    const connection = this.connections.get(connectionId);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN) {
      response.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
      response.end(JSON.stringify({ message: 'Gone' }));
      return;
    }
    if (method === 'POST') {
      // API Gateway delivers a message to the client in 32 KB frames; a larger one must not be sent.
      if (Buffer.byteLength(body ?? '', 'utf8') > MAX_WS_MESSAGE_BYTES) {
        response.writeHead(413, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'PayloadTooLargeException',
        });
        response.end(JSON.stringify({ message: `a message is at most ${MAX_WS_MESSAGE_BYTES} bytes` }));
        return;
      }
      connection.socket.send(body ?? '');
      response.writeHead(200).end();
    } else if (method === 'GET') {
      send(response, 200, {
        connectedAt: connection.connectedAt.toISOString(),
        lastActiveAt: connection.lastActiveAt.toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      });
    } else if (method === 'DELETE') {
      connection.socket.close(1000, 'closed by the server');
      response.writeHead(204).end();
    } else {
      send(response, 405, { message: `${method} is not allowed` });
    }
  }

  private async accept(
    socket: WebSocket,
    request: IncomingMessage,
    connectionId: string,
    authorizer: Record<string, unknown>,
  ): Promise<void> {
    const domain = request.headers.host ?? 'localhost';
    const now = new Date();
    this.connections.set(connectionId, {
      socket,
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
    });
    const queue: Buffer[] = [];
    let ready = false;
    socket.on('message', (data, isBinary) => {
      const connection = this.connections.get(connectionId);
      if (connection) connection.lastActiveAt = new Date();
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (!ready) queue.push(buffer);
      else this.dispatch(connectionId, domain, buffer, isBinary);
    });
    socket.on('close', () => {
      this.connections.delete(connectionId);
      const disconnect = this.handlers.wsDisconnect;
      if (!disconnect) return;
      this.track(
        disconnect(webSocketEvent('DISCONNECT', connectionId, this.stage, domain)).catch((error) =>
          this.log.error('disconnect handler failed', { error: String(error) }),
        ),
      );
    });
    socket.on('error', (error) => this.log.error('websocket error', { error: String(error) }));
    try {
      const connect = webSocketEvent('CONNECT', connectionId, this.stage, domain);
      // What the `$connect` authorizer's policy carried, as API Gateway hands it to the route.
      (connect.requestContext as { authorizer?: unknown }).authorizer = authorizer;
      await this.handlers.wsConnect?.(connect);
    } catch (error) {
      this.log.error('connect handler failed', { error: String(error) });
      socket.close(1011, 'connect failed');
      return;
    }
    ready = true;
    for (const buffer of queue.splice(0)) this.dispatch(connectionId, domain, buffer, false);
  }

  private dispatch(connectionId: string, domain: string, data: Buffer, isBinary: boolean): void {
    const body = data.toString(isBinary ? 'base64' : 'utf8');
    const event = webSocketEvent('MESSAGE', connectionId, this.stage, domain, body);
    this.track(
      this.handlers.wsDefault(event).catch((error: unknown) => {
        this.log.error('message handler failed', { error: String(error) });
        const socket = this.connections.get(connectionId)?.socket;
        socket?.send(JSON.stringify({ type: 'error', sessionId: null, message: 'internal error' }));
      }),
    );
  }

  private track(promise: Promise<unknown>): void {
    this.pendingMessages.add(promise);
    void promise.finally(() => this.pendingMessages.delete(promise));
  }
}

/** What ends a streaming response's prelude, as Lambda's runtime writes it. */
const PRELUDE_END = Buffer.alloc(8);

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  // A declared length past the cap is refused before a byte of the body is read.
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > limit) throw new PayloadTooLargeError();
  const bytes = await readBytes(request, limit);
  return bytes.length === 0 ? undefined : bytes;
}

async function readBytes(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
