import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb } from '../../infra/local/dynamodb-server.js';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';
import { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import type { SessionMeta } from '../../shared/domain/types.js';
import { type StackFixture, startStackFixture, waitForResult } from '../support/local-stack-fixture.js';

let dataDir: string;
let fixture: StackFixture | undefined;

afterAll(async () => {
  await fixture?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const meta = (sessionId: string, resumes: number): SessionMeta => ({
  sessionId,
  status: 'running',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  filename: 'program.py',
  maxRounds: 1,
  rounds: 1,
  lastIndex: 0,
  winner: null,
  notes: [],
  resumes,
});

describe('Local stack restart', () => {
  it('resumes a session a crash left running, and fails one that was already resumed once', async () => {
    // Prepare: the state a crash mid-session leaves in the data dir.
    dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-recovery-'));
    const dynamodb = await startLocalDynamoDb({
      path: join(dataDir, 'dynamodb'),
      tableName: 'truth-engine',
      region: 'us-east-1',
    });
    const client = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = new DynamoDbSessionStore(
      DynamoDBDocumentClient.from(client),
      'truth-engine',
      new FileArtifactStore(join(dataDir, 'artifacts')),
    );
    const code = 'print(1 / 0)\n';
    await store.create(meta('interrupted', 0), {
      code,
      filename: 'program.py',
      maxRounds: 1,
      candidates: ['print(1)\n'],
    });
    await store.create(meta('twice', 1), {
      code,
      filename: 'program.py',
      maxRounds: 1,
      candidates: ['print(1)\n'],
    });
    client.destroy();
    await dynamodb.close();

    // Act: start the stack on that data dir.
    fixture = await startStackFixture({}, dataDir);

    // Assess
    expect(fixture.stack.recovered.resumed).toEqual(['interrupted']);
    expect(fixture.stack.recovered.failed).toEqual(['twice']);
    const resumed = await waitForResult(fixture.stack, 'interrupted');
    expect(resumed.status).toBe('verified');
    expect(resumed.baseline?.stderr).toContain('ZeroDivisionError');
    const failed = await waitForResult(fixture.stack, 'twice');
    expect(failed.status).toBe('failed');
    expect(failed.reason).toContain('stopped twice');
  });
});
