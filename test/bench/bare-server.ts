import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The reference for accept latency: a bare `node:http` server that reads a JSON body, parses it and
 * answers 202 with a session id, in its own process like the stack, so both meet the same load.
 */
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: unknown };
    const ok = typeof body.code === 'string';
    response.writeHead(ok ? 202 : 400, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { sessionId: randomUUID(), status: 'queued' } : { error: 'code' }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', httpUrl: `http://127.0.0.1:${port}` });
});
process.on('message', (message: { type: string; id: number }) => {
  if (message.type !== 'close') return;
  server.closeAllConnections();
  server.close(() => {
    process.send?.({ id: message.id });
    process.disconnect();
  });
});
