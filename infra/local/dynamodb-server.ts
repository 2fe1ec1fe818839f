import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
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

/** dynalite on loopback, persisted under `path`, with the project's table created when missing. */
export async function startLocalDynamoDb(options: {
  path: string;
  tableName: string;
  region: string;
}): Promise<LocalDynamoDb> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
