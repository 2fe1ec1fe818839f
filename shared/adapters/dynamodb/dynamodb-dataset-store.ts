import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Upload } from '../../domain/sandbox-job.js';
import type { DatasetMeta, PendingUpload } from '../../kinds/transform/dataset.js';
import type { DatasetStore } from '../../kinds/transform/dataset-store.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import { artifactKeys, datasetPk, META_SK, uploadPk } from './session-keys.js';

/**
 * Datasets in the one table (`DATASET#<id>` / `META`, with the table's TTL attribute at its expiry)
 * and their typed tables in the artifact store; pending uploads likewise (`UPLOAD#<id>` / `META`,
 * their bytes under `uploads/`). An item whose TTL has passed may linger until the table sweeps it,
 * so expiry is checked on read as well.
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
    return (await this.liveItem(datasetPk(datasetId))) as DatasetMeta | undefined;
  }

  async getTable(datasetId: string): Promise<string | undefined> {
    return this.artifacts.get(artifactKeys.dataset(datasetId));
  }

  async putUpload(upload: PendingUpload, expiresInS: number): Promise<Upload> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: uploadPk(upload.uploadId),
          SK: META_SK,
          ...upload,
          ttl: Math.ceil(Date.parse(upload.expiresAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return this.artifacts.presignUpload(artifactKeys.upload(upload.uploadId), upload.bytes, expiresInS);
  }

  async getUpload(uploadId: string): Promise<PendingUpload | undefined> {
    return (await this.liveItem(uploadPk(uploadId))) as PendingUpload | undefined;
  }

  async readUpload(uploadId: string): Promise<Buffer | undefined> {
    return this.artifacts.getBytes(artifactKeys.upload(uploadId));
  }

  /** The item's attributes without its keys and TTL, unless it is missing or past its expiry. */
  private async liveItem(pk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: META_SK } }),
    );
    if (!Item || Date.parse(String(Item.expiresAt)) <= Date.now()) return undefined;
    const { PK: _pk, SK: _sk, ttl: _ttl, ...attributes } = Item;
    return attributes;
  }
}
