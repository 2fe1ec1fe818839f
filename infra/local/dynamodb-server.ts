import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { tableSchema } from './table-schema.js';

export interface LocalDynamoDb {
  endpoint: string;
  /**
   * The Step Functions `dynamodb:updateItem` integration: the state's Parameters as the API takes
   * them; a refusal surfaces as `DynamoDB.<ErrorName>`, as the service integration names it.
   */
  updateItem(parameters: unknown): Promise<unknown>;
  close(): Promise<void>;
}

const DYNALITE_PROCESS = fileURLToPath(new URL('./dynalite-process.js', import.meta.url));

/**
 * dynalite on loopback, persisted under `path`, with the project's table created when missing. It
 * runs in a child process, as DynamoDB runs apart from the functions: its parsing and LevelDB work
 * would otherwise take turns with the gateway and the handlers on one event loop. The child goes
 * when the stack does, even when the stack is killed.
 */
const DYNALITE_PRIORITY = -5;

export async function startLocalDynamoDb(options: {
  path: string;
  tableName: string;
  region: string;
}): Promise<LocalDynamoDb> {
  const child = fork(DYNALITE_PROCESS, [JSON.stringify({ path: options.path })], {
    // A plain JavaScript file: no TypeScript loader (the parent's --import flags are not passed on).
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Every request waits on this one event loop, an accepted fix's write among the sessions' calls:
  // ahead of the functions in CPU priority, it drains its queue first (only root may raise it).
  if (child.pid !== undefined && process.getuid?.() === 0) {
    try {
      setPriority(child.pid, DYNALITE_PRIORITY);
    } catch {
      // Not permitted here: it runs at the stack's priority.
    }
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited (${code}) before it listened`)));
    child.on('message', (message: { type?: string; port?: number; message?: string }) => {
      if (message.type === 'ready' && message.port) resolve(message.port);
      if (message.type === 'error') reject(new Error(`dynalite failed to start: ${message.message}`));
    });
  });
  // The stack must not wait on the child to exit, nor the child keep a test runner alive.
  child.unref();
  child.channel?.unref();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const close = async () => {
    client.destroy();
    child.ref();
    if (child.exitCode === null && child.signalCode === null && child.connected)
      child.send({ type: 'close' });
    // The database is closed (its lock released) when the process is gone.
    await exited;
  };
  try {
    await ensureTable(client, options.tableName);
  } catch (error) {
    await close();
    throw error;
  }
  const updateItem = async (parameters: unknown) => {
    try {
      const { $metadata: _metadata, ...output } = await client.send(
        new UpdateItemCommand(parameters as UpdateItemCommandInput),
      );
      return output;
    } catch (error) {
      const named = new Error((error as Error).message);
      named.name = `DynamoDB.${(error as Error).name}`;
      throw named;
    }
  };
  return { endpoint, updateItem, close };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(tableSchema(tableName)));
  }
  // dynalite reports CREATING first, like DynamoDB.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
