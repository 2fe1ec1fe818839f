import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Storage } from '../../infra/aws/constructs/storage.js';
import { tableSchema } from '../../infra/local/table-schema.js';

describe('Table design: AWS and local', () => {
  // A bare stack: only the storage construct, nothing to bundle.
  const stack = new Stack(new App(), 'TableDesign');
  new Storage(stack, 'Storage');
  const [aws] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table')) as {
    Properties: Record<string, unknown>;
  }[];

  it('gives dynalite the keys, attributes, indexes and billing of the AWS table', () => {
    // Act
    const local = tableSchema('truth-engine');

    // Assess
    expect(local).toEqual({
      TableName: 'truth-engine',
      KeySchema: aws?.Properties.KeySchema,
      AttributeDefinitions: aws?.Properties.AttributeDefinitions,
      GlobalSecondaryIndexes: aws?.Properties.GlobalSecondaryIndexes,
      BillingMode: aws?.Properties.BillingMode,
    });
  });
});
