import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { TABLE_DESIGN } from '../../shared/adapters/dynamodb/table-design.js';

/** The one table for the local dynalite, built from the design the CDK stack builds from too. */
export function tableSchema(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, indexes } = TABLE_DESIGN;
  const keyAttributes = new Set([
    partitionKey,
    sortKey,
    ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
