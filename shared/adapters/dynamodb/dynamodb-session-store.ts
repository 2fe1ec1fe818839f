import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CandidateRecord, FixProblem, Harness, RunResult, SessionMeta } from '../../domain/types.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { SessionStore } from '../../ports/session-store.js';
import {
  artifactKeys,
  candidateSk,
  connectionPk,
  HARNESS_SK,
  META_SK,
  SESSIONS_GSI1PK,
  sessionPk,
  subscriberSk,
} from './session-keys.js';

export class SessionNotFoundError extends Error {
  constructor(sessionId: string) {
    super(`session ${sessionId} does not exist`);
    this.name = 'SessionNotFoundError';
  }
}

interface CandidateItem {
  index: number;
  round: number;
  source: string;
  title?: string;
  rationale?: string;
  result?: RunResult;
}

/** Sessions in one DynamoDB table; code, diffs and logs by reference in the artifact store. */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly artifacts: ArtifactStore,
  ) {}

  async create(meta: SessionMeta, problem: FixProblem): Promise<void> {
    await this.artifacts.put(artifactKeys.problem(meta.sessionId), JSON.stringify(problem));
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: sessionPk(meta.sessionId),
          SK: META_SK,
          GSI1PK: SESSIONS_GSI1PK,
          GSI1SK: meta.createdAt,
          ...meta,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getMeta(sessionId: string): Promise<SessionMeta | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: META_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? toMeta(Item) : undefined;
  }

  async getProblem(sessionId: string): Promise<FixProblem> {
    const text = await this.artifacts.get(artifactKeys.problem(sessionId));
    if (text === undefined) throw new SessionNotFoundError(sessionId);
    return JSON.parse(text) as FixProblem;
  }

  async updateMeta(
    sessionId: string,
    patch: Partial<Omit<SessionMeta, 'sessionId' | 'createdAt'>>,
  ): Promise<SessionMeta> {
    const fields = { ...patch, updatedAt: new Date().toISOString() };
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([key, value], i) => {
      names[`#f${i}`] = key;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: META_SK },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) throw new SessionNotFoundError(sessionId);
    return toMeta(Attributes);
  }

  async saveHarness(sessionId: string, harness: Harness): Promise<void> {
    if (harness.test !== undefined) await this.artifacts.put(artifactKeys.harness(sessionId), harness.test);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: sessionPk(sessionId), SK: HARNESS_SK, kind: harness.kind, origin: harness.origin },
      }),
    );
  }

  async getHarness(sessionId: string): Promise<Harness | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: HARNESS_SK },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const kind = Item.kind as Harness['kind'];
    const harness: Harness = { kind, origin: String(Item.origin) };
    if (kind === 'test') {
      const test = await this.artifacts.get(artifactKeys.harness(sessionId));
      if (test === undefined)
        throw new Error(`session ${sessionId}: the harness test is missing from the artifact store`);
      harness.test = test;
    }
    return harness;
  }

  async putCandidates(sessionId: string, candidates: CandidateRecord[]): Promise<void> {
    await Promise.all(
      candidates.map(async (candidate) => {
        await Promise.all([
          this.artifacts.put(artifactKeys.code(sessionId, candidate.index), candidate.code),
          this.artifacts.put(artifactKeys.diff(sessionId, candidate.index), candidate.diff),
        ]);
        const item: CandidateItem = {
          index: candidate.index,
          round: candidate.round,
          source: candidate.source,
        };
        if (candidate.title !== undefined) item.title = candidate.title;
        if (candidate.rationale !== undefined) item.rationale = candidate.rationale;
        if (candidate.result !== undefined) item.result = candidate.result;
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { PK: sessionPk(sessionId), SK: candidateSk(candidate.index), ...item },
          }),
        );
      }),
    );
  }

  async getCandidate(sessionId: string, index: number): Promise<CandidateRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: candidateSk(index) },
        ConsistentRead: true,
      }),
    );
    return Item ? this.hydrate(sessionId, Item as unknown as CandidateItem) : undefined;
  }

  async listCandidates(sessionId: string): Promise<CandidateRecord[]> {
    const items = await this.queryPartition(sessionId, 'CANDIDATE#');
    const records = await Promise.all(
      items.map((item) => this.hydrate(sessionId, item as unknown as CandidateItem)),
    );
    return records.sort((a, b) => a.index - b.index);
  }

  async saveResult(sessionId: string, index: number, result: RunResult): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: candidateSk(index) },
        UpdateExpression: 'SET #result = :result',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#result': 'result' },
        ExpressionAttributeValues: { ':result': result },
      }),
    );
  }

  async saveLog(
    sessionId: string,
    index: number,
    stream: 'stdout' | 'stderr',
    text: string,
  ): Promise<string> {
    const key = artifactKeys.log(sessionId, index, stream);
    await this.artifacts.put(key, text);
    return key;
  }

  async addSubscriber(sessionId: string, connectionId: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: sessionPk(sessionId), SK: subscriberSk(connectionId), connectionId },
      }),
    );
  }

  async listSubscribers(sessionId: string): Promise<string[]> {
    const items = await this.queryPartition(sessionId, 'SUB#');
    return items.map((item) => String(item.connectionId));
  }

  async removeSubscriber(sessionId: string, connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: subscriberSk(connectionId) },
      }),
    );
  }

  async listUnfinished(): Promise<SessionMeta[]> {
    const found: SessionMeta[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          FilterExpression: '#status IN (:queued, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': SESSIONS_GSI1PK, ':queued': 'queued', ':running': 'running' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) found.push(toMeta(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async recordConnection(connectionId: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: connectionPk(connectionId), SK: META_SK, connectedAt: new Date().toISOString() },
      }),
    );
  }

  async forgetConnection(connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: connectionPk(connectionId), SK: META_SK } }),
    );
  }

  private async queryPartition(sessionId: string, skPrefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': sessionPk(sessionId), ':prefix': skPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async hydrate(sessionId: string, item: CandidateItem): Promise<CandidateRecord> {
    const [code, diff] = await Promise.all([
      this.artifacts.get(artifactKeys.code(sessionId, item.index)),
      this.artifacts.get(artifactKeys.diff(sessionId, item.index)),
    ]);
    const record: CandidateRecord = {
      index: item.index,
      round: item.round,
      source: item.source,
      code: code ?? '',
      diff: diff ?? '',
    };
    if (item.title !== undefined) record.title = item.title;
    if (item.rationale !== undefined) record.rationale = item.rationale;
    if (item.result !== undefined) record.result = item.result;
    return record;
  }
}

function toMeta(item: Record<string, unknown>): SessionMeta {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, ...meta } = item;
  return meta as unknown as SessionMeta;
}
