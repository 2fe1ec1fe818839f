import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TooManySubscribersError } from '../../domain/errors.js';
import { MAX_SUBSCRIBERS } from '../../domain/limits.js';
import type { Upload } from '../../domain/sandbox-job.js';
import type {
  CandidateRecord,
  CandidateSummary,
  FixProblem,
  Harness,
  RunResult,
  RunSummary,
  SessionMeta,
  SessionStatus,
  StoredCandidate,
} from '../../domain/types.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type {
  SandboxRunnerKind,
  SessionCursor,
  SessionStore,
  TaskRoundRecord,
} from '../../ports/session-store.js';
import {
  artifactKeys,
  authFailurePk,
  authWindowSk,
  candidateSk,
  DEPLOYMENT_PK,
  HARNESS_SK,
  idempotencyPk,
  META_SK,
  ownerGsi2pk,
  ownerGsi2sk,
  SESSIONS_GSI1PK,
  sandboxSk,
  sessionPk,
  taskPk,
  taskRoundSk,
} from './session-keys.js';
import { HISTORY_INDEX, OWNER_INDEX, TABLE_DESIGN } from './table-design.js';

export class SessionNotFoundError extends Error {
  constructor(sessionId: string) {
    super(`session ${sessionId} does not exist`);
    this.name = 'SessionNotFoundError';
  }
}

/** Item attributes of a candidate: verdicts and sizes only, so an item never grows with the input. */
type CandidateItem = CandidateSummary;

/** The longest a stored reason may be; the rest of a run's account is in its outputs. */
const MAX_REASON_CHARS = 1000;
const BATCH_WRITE_LIMIT = 25;

/** Sessions in one DynamoDB table; code, diffs and logs by reference in the artifact store. */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly artifacts: ArtifactStore,
  ) {}

  async create(meta: SessionMeta, problem: object): Promise<void> {
    await this.artifacts.put(artifactKeys.problem(meta.sessionId), JSON.stringify(problem));
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: sessionPk(meta.sessionId),
          SK: META_SK,
          GSI1PK: SESSIONS_GSI1PK,
          GSI1SK: meta.createdAt,
          ...(meta.owner === undefined
            ? {}
            : { GSI2PK: ownerGsi2pk(meta.owner), GSI2SK: ownerGsi2sk(meta.createdAt, meta.sessionId) }),
          ...toItem(meta),
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

  async getProblem<P extends object = FixProblem>(sessionId: string): Promise<P> {
    const text = await this.artifacts.get(artifactKeys.problem(sessionId));
    if (text === undefined) throw new SessionNotFoundError(sessionId);
    return JSON.parse(text) as P;
  }

  async putArtifact(sessionId: string, name: string, body: string): Promise<void> {
    await this.artifacts.put(artifactKeys.named(sessionId, name), body);
  }

  async getArtifact(sessionId: string, name: string): Promise<string | null> {
    return (await this.artifacts.get(artifactKeys.named(sessionId, name))) ?? null;
  }

  async presignArtifact(sessionId: string, name: string, expiresInS: number): Promise<string> {
    return this.artifacts.presignGet(artifactKeys.named(sessionId, name), expiresInS);
  }

  presignArtifactUpload(
    sessionId: string,
    name: string,
    maxBytes: number,
    expiresInS: number,
  ): Promise<Upload> {
    return this.artifacts.presignUpload(artifactKeys.named(sessionId, name), maxBytes, expiresInS);
  }

  async bindTaskRound(task: string, round: number, sessionId: string): Promise<void> {
    // An update, not a put: a round re-sent with a new nonce keeps the repository it published to.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: taskPk(task), SK: taskRoundSk(round) },
        UpdateExpression: 'SET sessionId = :sessionId, boundAt = :now',
        ExpressionAttributeValues: { ':sessionId': sessionId, ':now': new Date().toISOString() },
      }),
    );
  }

  async findTaskRound(task: string, round: number): Promise<string | undefined> {
    return (await this.getTaskRoundRecord(task, round))?.sessionId;
  }

  async getTaskRoundRecord(task: string, round: number): Promise<TaskRoundRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: taskPk(task), SK: taskRoundSk(round) },
        ConsistentRead: true,
      }),
    );
    if (typeof Item?.sessionId !== 'string') return undefined;
    return {
      sessionId: Item.sessionId,
      ...(typeof Item.status === 'string' ? { status: Item.status as SessionStatus } : {}),
      ...(typeof Item.nonce === 'string' ? { nonce: Item.nonce } : {}),
      ...(Item.publication ? { publication: Item.publication as TaskRoundRecord['publication'] } : {}),
      ...(typeof Item.notifiedAt === 'string' ? { notifiedAt: Item.notifiedAt } : {}),
      ...(typeof Item.updatedAt === 'string' ? { updatedAt: Item.updatedAt } : {}),
    };
  }

  async recordTaskRound(
    task: string,
    round: number,
    record: Omit<TaskRoundRecord, 'updatedAt'>,
  ): Promise<boolean> {
    const fields: Record<string, unknown> = { ...record, updatedAt: new Date().toISOString() };
    const names = Object.keys(fields).filter((name) => fields[name] !== undefined);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: taskPk(task), SK: taskRoundSk(round) },
          // Only while the round is still this session's: a superseding request owns it from then on.
          ConditionExpression: 'attribute_not_exists(sessionId) OR sessionId = :sessionId',
          UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordAuthFailure(source: string, windowS: number): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: authFailureKey(source, windowS),
        // The TTL attribute (epoch seconds) lets the table sweep old windows; reads never need it.
        UpdateExpression: 'ADD #count :one SET #expires = :expires',
        ExpressionAttributeNames: { '#count': 'count', '#expires': TABLE_DESIGN.timeToLive },
        ExpressionAttributeValues: { ':one': 1, ':expires': Math.ceil(Date.now() / 1000) + 2 * windowS },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.count ?? 1);
  }

  async countAuthFailures(source: string, windowS: number): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: authFailureKey(source, windowS),
        ConsistentRead: true,
      }),
    );
    return Number(Item?.count ?? 0);
  }

  async updateMeta(
    sessionId: string,
    patch: Partial<Omit<SessionMeta, 'sessionId' | 'createdAt' | 'subscribers'>>,
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
      if (test === undefined) harness.expired = true;
      else harness.test = test;
    }
    return harness;
  }

  async putCandidates(sessionId: string, candidates: CandidateRecord[], harness?: Harness): Promise<void> {
    const items: Record<string, unknown>[] = harness
      ? [{ PK: sessionPk(sessionId), SK: HARNESS_SK, kind: harness.kind, origin: harness.origin }]
      : [];
    // The harness's test goes up beside the candidates' code, not before it.
    const [records] = await Promise.all([
      this.candidateItems(sessionId, candidates),
      harness?.test === undefined
        ? undefined
        : this.artifacts.put(artifactKeys.harness(sessionId), harness.test),
    ]);
    items.push(...records);
    // A round's items in as few calls as the API allows (25 a batch), whatever it leaves unprocessed retried.
    await this.batchPut(sessionId, items);
  }

  /** Each candidate's item, its code and diff (and any result's outputs) written to the artifacts first. */
  private candidateItems(
    sessionId: string,
    candidates: CandidateRecord[],
  ): Promise<Record<string, unknown>[]> {
    return Promise.all(
      candidates.map(async (candidate) => {
        await Promise.all([
          this.artifacts.put(artifactKeys.code(sessionId, candidate.index), candidate.code),
          this.artifacts.put(artifactKeys.diff(sessionId, candidate.index), candidate.diff),
        ]);
        const item: CandidateItem = {
          index: candidate.index,
          round: candidate.round,
          source: candidate.source,
          changedLines: candidate.changedLines,
        };
        if (candidate.fullReplacement) item.fullReplacement = true;
        if (candidate.title !== undefined) item.title = candidate.title.slice(0, MAX_REASON_CHARS);
        if (candidate.rationale !== undefined)
          item.rationale = candidate.rationale.slice(0, MAX_REASON_CHARS);
        if (candidate.result !== undefined) {
          item.result = summarize(candidate.result);
          await this.saveOutputs(sessionId, candidate.index, candidate.result);
        }
        return { PK: sessionPk(sessionId), SK: candidateSk(candidate.index), ...item };
      }),
    );
  }

  private async batchPut(sessionId: string, items: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
      let pending: Array<{ PutRequest?: { Item?: Record<string, unknown> } }> = items
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((item) => ({ PutRequest: { Item: item } }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt >= 5) throw new Error(`session ${sessionId}: candidates could not all be written`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }),
        );
        pending = (UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  /** A candidate's diff alone (the result event carries the winner's), or null once expired. */
  async getDiff(sessionId: string, index: number): Promise<string | null> {
    return (await this.artifacts.get(artifactKeys.diff(sessionId, index))) ?? null;
  }

  async getCandidate(sessionId: string, index: number): Promise<StoredCandidate | undefined> {
    const summary = await this.getSummary(sessionId, index);
    return summary ? this.hydrate(sessionId, summary) : undefined;
  }

  async getSummary(sessionId: string, index: number): Promise<CandidateSummary | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: candidateSk(index) },
        ConsistentRead: true,
      }),
    );
    return Item ? toSummary(Item) : undefined;
  }

  async listCandidates(sessionId: string): Promise<StoredCandidate[]> {
    const summaries = await this.listSummaries(sessionId);
    return Promise.all(summaries.map((item) => this.hydrate(sessionId, item)));
  }

  async listSummaries(sessionId: string): Promise<CandidateSummary[]> {
    const items = await this.queryPartition(sessionId, 'CANDIDATE#');
    return items.map(toSummary).sort((a, b) => a.index - b.index);
  }

  async saveResult(sessionId: string, index: number, full: RunResult): Promise<void> {
    await this.saveOutputs(sessionId, index, full);
    const result = summarize(full);
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

  presignCandidate(
    sessionId: string,
    index: number,
    part: 'code' | 'diff' | 'outputs',
    expiresInS: number,
  ): Promise<string> {
    return this.artifacts.presignGet(artifactKeys[part](sessionId, index), expiresInS);
  }

  presignHarness(sessionId: string, expiresInS: number): Promise<string> {
    return this.artifacts.presignGet(artifactKeys.harness(sessionId), expiresInS);
  }

  presignLogUpload(sessionId: string, index: number, maxBytes: number, expiresInS: number): Promise<Upload> {
    return this.artifacts.presignUpload(artifactKeys.logs(sessionId, index), maxBytes, expiresInS);
  }

  async addSubscriber(sessionId: string, connectionId: string): Promise<SessionMeta | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: sessionPk(sessionId), SK: META_SK },
          UpdateExpression: 'ADD #subscribers :connection',
          // A connection already there is no new one: re-subscribing a full session is fine.
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(#subscribers) OR size(#subscribers) < :max OR contains(#subscribers, :id))',
          ExpressionAttributeNames: { '#subscribers': 'subscribers' },
          ExpressionAttributeValues: {
            ':connection': new Set([connectionId]),
            ':id': connectionId,
            ':max': MAX_SUBSCRIBERS,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toMeta(Attributes) : undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!(await this.getMeta(sessionId))) return undefined;
      throw new TooManySubscribersError(
        `session ${sessionId} is followed by ${MAX_SUBSCRIBERS} connections, as many as it takes`,
      );
    }
  }

  async listSubscribers(sessionId: string): Promise<string[]> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: META_SK },
        ProjectionExpression: '#subscribers',
        ExpressionAttributeNames: { '#subscribers': 'subscribers' },
        ConsistentRead: true,
      }),
    );
    return subscribersOf(Item?.subscribers);
  }

  async removeSubscriber(sessionId: string, connectionId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: sessionPk(sessionId), SK: META_SK },
          UpdateExpression: 'DELETE #subscribers :connection',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#subscribers': 'subscribers' },
          ExpressionAttributeValues: { ':connection': new Set([connectionId]) },
        }),
      );
    } catch (error) {
      // A session that is gone has no subscribers left to remove.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async listOwned(
    owner: string,
    page: { limit: number; after?: SessionCursor },
  ): Promise<{ items: SessionMeta[]; next?: SessionCursor }> {
    // The start key is rebuilt from the cursor inside the caller's own partition: a cursor names a
    // place in a list, never someone else's list.
    const startKey = page.after
      ? {
          PK: sessionPk(page.after.sessionId),
          SK: META_SK,
          GSI2PK: ownerGsi2pk(owner),
          GSI2SK: ownerGsi2sk(page.after.createdAt, page.after.sessionId),
        }
      : undefined;
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OWNER_INDEX.name,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': ownerGsi2pk(owner) },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (Items ?? []).map(toMeta);
    const last = items.at(-1);
    return {
      items,
      ...(LastEvaluatedKey && last ? { next: { createdAt: last.createdAt, sessionId: last.sessionId } } : {}),
    };
  }

  async settleQuota(sessionId: string, to: 'consumed' | 'returned'): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: sessionPk(sessionId), SK: META_SK },
          UpdateExpression: 'SET #quota.#state = :to',
          ConditionExpression: '#quota.#state = :held',
          ExpressionAttributeNames: { '#quota': 'quota', '#state': 'state' },
          ExpressionAttributeValues: { ':to': to, ':held': 'held' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async setShareToken(sessionId: string, token: string | undefined): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: sessionPk(sessionId), SK: META_SK },
        ConditionExpression: 'attribute_exists(PK)',
        ...(token === undefined
          ? { UpdateExpression: 'REMOVE shareToken' }
          : { UpdateExpression: 'SET shareToken = :token', ExpressionAttributeValues: { ':token': token } }),
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
          IndexName: HISTORY_INDEX.name,
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

  async claimIdempotencyKey(
    key: string,
    binding: { sessionId: string; fingerprint: string; expiresAt: string },
  ): Promise<{ claimed: true } | { claimed: false; sessionId: string; fingerprint: string }> {
    const pk = idempotencyPk(createHash('sha256').update(key).digest('hex'));
    try {
      // A lapsed binding may be taken over; expiry is an attribute the code honours (no TTL here).
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: pk, SK: META_SK, ...binding },
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: META_SK }, ConsistentRead: true }),
    );
    return { claimed: false, sessionId: String(Item?.sessionId), fingerprint: String(Item?.fingerprint) };
  }

  async recordContainment(runner: SandboxRunnerKind, containment: string, measuredAt: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: DEPLOYMENT_PK, SK: sandboxSk(runner), containment, measuredAt },
      }),
    );
  }

  async getContainment(
    runner: SandboxRunnerKind,
  ): Promise<{ containment: string; measuredAt: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: DEPLOYMENT_PK, SK: sandboxSk(runner) } }),
    );
    return Item ? { containment: String(Item.containment), measuredAt: String(Item.measuredAt) } : undefined;
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

  private async saveOutputs(sessionId: string, index: number, result: RunResult): Promise<void> {
    await this.artifacts.put(
      artifactKeys.outputs(sessionId, index),
      JSON.stringify({ stdout: result.stdout, stderr: result.stderr }),
    );
  }

  private async hydrate(sessionId: string, item: CandidateSummary): Promise<StoredCandidate> {
    const [code, diff, outputs] = await Promise.all([
      this.artifacts.get(artifactKeys.code(sessionId, item.index)),
      this.artifacts.get(artifactKeys.diff(sessionId, item.index)),
      item.result ? this.artifacts.get(artifactKeys.outputs(sessionId, item.index)) : undefined,
    ]);
    return {
      ...item,
      code: code ?? null,
      diff: diff ?? null,
      outputs: outputs === undefined ? null : (JSON.parse(outputs) as { stdout: string; stderr: string }),
    };
  }
}

/** A run's verdict for the item: outputs and logs go to the artifact store, the reason is capped. */
function summarize(result: RunResult): RunSummary {
  const { stdout: _stdout, stderr: _stderr, logs: _logs, ...summary } = result;
  if (summary.reason !== undefined && summary.reason.length > MAX_REASON_CHARS) {
    summary.reason = `${summary.reason.slice(0, MAX_REASON_CHARS)}…`;
  }
  return summary;
}

/** The current window's counter of refused credentials from one source (the source is hashed: no IPs stored). */
function authFailureKey(source: string, windowS: number) {
  const windowStart = Math.floor(Date.now() / 1000 / windowS) * windowS;
  return {
    PK: authFailurePk(createHash('sha256').update(source).digest('hex').slice(0, 32)),
    SK: authWindowSk(windowStart),
  };
}

function toSummary(item: Record<string, unknown>): CandidateSummary {
  const { PK: _pk, SK: _sk, ...rest } = item;
  const summary = rest as unknown as CandidateSummary;
  // Items written before change sizes were stored count as no change.
  return { ...summary, changedLines: summary.changedLines ?? 0 };
}

function toMeta(item: Record<string, unknown>): SessionMeta {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, GSI2PK: _o1, GSI2SK: _o2, subscribers, ...meta } = item;
  const following = subscribersOf(subscribers);
  return { ...(meta as unknown as SessionMeta), ...(following.length > 0 ? { subscribers: following } : {}) };
}

/** The session item's attributes: subscribers as a string set (ADD and DELETE work on sets; none is no set). */
function toItem(meta: SessionMeta): Record<string, unknown> {
  const { subscribers, ...rest } = meta;
  return subscribers && subscribers.length > 0 ? { ...rest, subscribers: new Set(subscribers) } : rest;
}

/** A stored subscriber set (read back as a Set) as a list; nothing stored is none. */
function subscribersOf(value: unknown): string[] {
  return value instanceof Set ? [...(value as Set<string>)].sort() : [];
}
