// dynalite in a process of its own (started by dynamodb-server.ts): its request parsing and LevelDB
// work run beside the stack's event loop instead of on it, as DynamoDB runs beside the functions.
// Plain JavaScript, so it starts without a TypeScript loader.
import dynalite from 'dynalite';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = dynalite({ ...options, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// Idle SDK connections stay open, as DynamoDB's do (Node's default closes them after 5 s, which
// races the next call on them). Keep in step with IDLE_CONNECTION_MS in gateway.ts.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
// Keep-alive sockets from the SDK clients must not hold the close up.
const sockets = new Set();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});

let closing = false;
function close() {
  if (closing) return;
  closing = true;
  server.close(() => process.disconnect?.());
  for (const socket of sockets) socket.destroy();
}

server.once('error', (error) => {
  process.send?.({ type: 'error', message: String(error) });
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: server.address().port }));
process.on('message', (message) => {
  if (message?.type === 'close') close();
});
// Ctrl-C reaches the whole process group: the stack stops first, then closes this process.
process.on('SIGINT', () => undefined);
// The stack went away (even by SIGKILL): close the database and go too.
process.on('disconnect', () => {
  close();
  setTimeout(() => process.exit(0), 2000).unref();
});
