import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DatasetMeta } from '../../kinds/transform/dataset.js';
import type { DatasetStore } from '../../kinds/transform/dataset-store.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import { artifactKeys, datasetPk, META_SK } from './session-keys.js';

/**
 * Datasets in the one table (`DATASET#<id>` / `META`, with the table's TTL attribute at its expiry)
 * and their typed tables in the artifact store. An item whose TTL has passed may linger until the
 * table sweeps it, so expiry is checked on read as well.
 */
export class DynamoDbDatasetStore implements DatasetStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly artifacts: ArtifactStore,
  ) {}

  async put(meta: DatasetMeta, table: string): Promise<void> {
    await this.artifacts.put(artifactKeys.dataset(meta.datasetId), table);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: datasetPk(meta.datasetId),
          SK: META_SK,
          ...meta,
          ttl: Math.ceil(Date.parse(meta.expiresAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getMeta(datasetId: string): Promise<DatasetMeta | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: datasetPk(datasetId), SK: META_SK } }),
    );
    if (!Item || Date.parse(String(Item.expiresAt)) <= Date.now()) return undefined;
    const { PK: _pk, SK: _sk, ttl: _ttl, ...meta } = Item;
    return meta as DatasetMeta;
  }

  async getTable(datasetId: string): Promise<string | undefined> {
    return this.artifacts.get(artifactKeys.dataset(datasetId));
  }
}
