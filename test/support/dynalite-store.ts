import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamoDb } from '../../infra/local/dynamodb-server.js';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';
import { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { DynamoDbUserStore } from '../../shared/adapters/dynamodb/dynamodb-user-store.js';
import type { SessionMeta } from '../../shared/domain/types.js';

/** A real session store on dynalite, laid out in `dataDir` exactly as the local stack lays it out. */
export async function openDynaliteStore(
  dataDir: string,
  tableName: string,
  options: { ttlMs?: number; baseUrl?: string; signingKey?: string } = {},
) {
  const dynamodb = await startLocalDynamoDb({
    path: join(dataDir, 'dynamodb'),
    tableName,
    region: 'us-east-1',
  });
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const artifacts = new FileArtifactStore(join(dataDir, 'artifacts'), {
    ttlMs: options.ttlMs ?? 7 * 24 * 60 * 60 * 1000,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    signingKey: options.signingKey ?? 'test-signing-key',
  });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbSessionStore(documents, tableName, artifacts);
  return {
    store,
    /** The users' items, in the same table. */
    users: new DynamoDbUserStore(documents, tableName),
    artifacts,
    close: async () => {
      client.destroy();
      await dynamodb.close();
    },
  };
}

export function sessionMeta(sessionId: string, overrides: Partial<SessionMeta> = {}): SessionMeta {
  const now = new Date().toISOString();
  return {
    sessionId,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    filename: 'program.py',
    maxRounds: 2,
    rounds: 0,
    lastIndex: 0,
    winner: null,
    notes: [],
    ...overrides,
  };
}
