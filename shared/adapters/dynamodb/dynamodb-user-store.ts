import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../../domain/principal.js';
import type { ApiKeyRecord, ShareRecord, UserStore } from '../../ports/user-store.js';
import {
  apiKeyPk,
  apiKeySk,
  connectionPk,
  META_SK,
  PROFILE_SK,
  sharePk,
  usageSk,
  userPk,
} from './session-keys.js';
import { TABLE_DESIGN } from './table-design.js';

/** A day's counter outlives its day by a week (the table's TTL sweeps it; nothing reads it then). */
const USAGE_KEEP_S = 8 * 24 * 60 * 60;
/** API Gateway closes a WebSocket connection after two hours at most; its item may go a day later. */
const CONNECTION_KEEP_S = 26 * 60 * 60;
const SHARE_SK = 'SHARE';
const KEY_SK = 'KEY';

const epochIn = (seconds: number) => Math.ceil(Date.now() / 1000) + seconds;

/** Users' items in the one table, beside the sessions (see README: data model). */
export class DynamoDbUserStore implements UserStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getAllowance(userId: string): Promise<number | undefined> {
    const item = await this.get(userPk(userId), PROFILE_SK);
    return typeof item?.dailyAllowance === 'number' ? item.dailyAllowance : undefined;
  }

  async setAllowance(userId: string, allowance: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: userPk(userId), SK: PROFILE_SK },
        UpdateExpression: 'SET dailyAllowance = :allowance',
        ExpressionAttributeValues: { ':allowance': allowance },
      }),
    );
  }

  async usedOn(userId: string, day: string): Promise<number> {
    const item = await this.get(userPk(userId), usageSk(day));
    return Number(item?.used ?? 0);
  }

  async takeQuota(userId: string, day: string, allowance: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: userPk(userId), SK: usageSk(day) },
          // One conditional write decides: of any number of requests at once, only `allowance` pass.
          UpdateExpression: 'ADD used :one SET #expires = :expires',
          ConditionExpression: 'attribute_not_exists(used) OR used < :allowance',
          ExpressionAttributeNames: { '#expires': TABLE_DESIGN.timeToLive },
          ExpressionAttributeValues: {
            ':one': 1,
            ':allowance': allowance,
            ':expires': epochIn(USAGE_KEEP_S),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async returnQuota(userId: string, day: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: userPk(userId), SK: usageSk(day) },
          UpdateExpression: 'ADD used :minus',
          ConditionExpression: 'used > :zero',
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async putApiKey(record: ApiKeyRecord): Promise<void> {
    // Two items, no transaction (dynalite has none): the listing first, so a key that can be used
    // is always one its owner can see and revoke.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: userPk(record.userId), SK: apiKeySk(record.keyId), ...record },
      }),
    );
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: apiKeyPk(record.hash), SK: KEY_SK, ...record },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    const item = await this.get(apiKeyPk(hash), KEY_SK);
    return item ? apiKeyOf(item) : undefined;
  }

  async listApiKeys(userId: string): Promise<ApiKeyRecord[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': apiKeySk('') },
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map(apiKeyOf).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async deleteApiKey(userId: string, keyId: string): Promise<boolean> {
    const listing = await this.get(userPk(userId), apiKeySk(keyId));
    if (!listing) return false;
    const record = apiKeyOf(listing);
    // The lookup item first: from that write on, the key authenticates nothing.
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: apiKeyPk(record.hash), SK: KEY_SK } }),
    );
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: userPk(userId), SK: apiKeySk(keyId) } }),
    );
    return true;
  }

  async putShare(token: string, record: ShareRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: sharePk(token), SK: SHARE_SK, ...record },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getShare(token: string): Promise<ShareRecord | undefined> {
    const item = await this.get(sharePk(token), SHARE_SK);
    if (typeof item?.sessionId !== 'string') return undefined;
    return { sessionId: item.sessionId, owner: String(item.owner), createdAt: String(item.createdAt) };
  }

  async deleteShare(token: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: sharePk(token), SK: SHARE_SK } }),
    );
  }

  async bindConnection(connectionId: string, principal: Principal): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: connectionPk(connectionId),
          SK: META_SK,
          ...principal,
          connectedAt: new Date().toISOString(),
          [TABLE_DESIGN.timeToLive]: epochIn(CONNECTION_KEEP_S),
        },
      }),
    );
  }

  async connectionPrincipal(connectionId: string): Promise<Principal | undefined> {
    const item = await this.get(connectionPk(connectionId), META_SK);
    if (typeof item?.userId !== 'string') return undefined;
    return {
      userId: item.userId,
      via: item.via === 'key' ? 'key' : 'token',
      ...(typeof item.name === 'string' ? { name: item.name } : {}),
      ...(typeof item.email === 'string' ? { email: item.email } : {}),
    };
  }

  async dropConnection(connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: connectionPk(connectionId), SK: META_SK } }),
    );
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: sk }, ConsistentRead: true }),
    );
    return Item;
  }
}

function apiKeyOf(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: String(item.keyId),
    userId: String(item.userId),
    name: String(item.name),
    createdAt: String(item.createdAt),
    lastFour: String(item.lastFour),
    hash: String(item.hash),
  };
}
