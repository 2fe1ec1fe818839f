import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, DEFAULT_QUOTA_DAILY, readConfig } from '../../infra/aws/config.js';
import { Storage } from '../../infra/aws/constructs/storage.js';
import { arnOf, logicalId, synthesizeTruthEngine } from './stack-template.js';

describe('Construct: Storage', () => {
  const { stack, template, cleanup } = synthesizeTruthEngine();
  afterAll(cleanup);

  const table = logicalId(stack.storage.table);
  const bucket = logicalId(stack.storage.bucket);

  describe('table', () => {
    it("is keyed PK/SK, on demand, with the GSI1 session index and the GSI2 owner's history index", () => {
      // Assess
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
          { AttributeName: 'GSI1PK', AttributeType: 'S' },
          { AttributeName: 'GSI1SK', AttributeType: 'S' },
          { AttributeName: 'GSI2PK', AttributeType: 'S' },
          { AttributeName: 'GSI2SK', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'GSI1',
            KeySchema: [
              { AttributeName: 'GSI1PK', KeyType: 'HASH' },
              { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'GSI2',
            KeySchema: [
              { AttributeName: 'GSI2PK', KeyType: 'HASH' },
              { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('sweeps the rate-limit counters with a TTL on their epoch-seconds attribute', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
      });
    });

    it('is deleted with a dev stack by default', () => {
      // Assess
      expect(template.toJSON().Resources[table].DeletionPolicy).toBe('Delete');
    });
  });

  describe('bucket', () => {
    it('expires artifacts after the configured seven days by default, and uploads after one', () => {
      // Assess
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({ Id: 'expire-artifacts', ExpirationInDays: 7, Status: 'Enabled' }),
            Match.objectLike({
              Id: 'expire-uploads',
              Prefix: 'uploads/',
              ExpirationInDays: 1,
              Status: 'Enabled',
            }),
          ],
        },
      });
    });

    it("takes presigned form posts from the console's origin only, and nothing else cross-origin", () => {
      // Prepare
      const properties = template.toJSON().Resources[bucket].Properties;
      const distribution = logicalId(stack.webConsole.distribution);

      // Assess
      expect(properties.CorsConfiguration.CorsRules).toHaveLength(1);
      const [rule] = properties.CorsConfiguration.CorsRules;
      expect(rule.AllowedMethods).toEqual(['POST']);
      expect(rule.AllowedOrigins).toHaveLength(1);
      expect(JSON.stringify(rule.AllowedOrigins[0])).toContain(distribution);
    });

    it('blocks public access and is encrypted with S3-managed keys', () => {
      // Assess
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    });

    it('refuses requests without TLS', () => {
      // Assess
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: Match.arrayWith([arnOf(bucket)]),
            }),
          ]),
        },
      });
    });

    it('is emptied and deleted with a dev stack', () => {
      // Assess
      expect(template.toJSON().Resources[bucket].DeletionPolicy).toBe('Delete');
      template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucket } });
    });
  });

  describe('with removal policy RETAIN', () => {
    // A bare stack: only the storage construct, nothing to bundle.
    const retained = new Stack(new App(), 'RetainedStorage');
    const storage = new Storage(retained, 'Storage', { removalPolicy: RemovalPolicy.RETAIN });
    const retainedTemplate = Template.fromStack(retained);

    it('keeps the table and the bucket, and never empties the bucket', () => {
      // Assess
      const resources = retainedTemplate.toJSON().Resources;
      expect(resources[logicalId(storage.table)].DeletionPolicy).toBe('Retain');
      expect(resources[logicalId(storage.bucket)].DeletionPolicy).toBe('Retain');
      retainedTemplate.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    });
  });
});

describe('Function: readConfig', () => {
  const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;

  it('defaults to DESTROY and the default models', () => {
    // Act
    const config = readConfig(nodeWith({}));

    // Assess
    expect(config).toEqual({
      removalPolicy: RemovalPolicy.DESTROY,
      artifactTtlDays: 7,
      models: DEFAULT_MODELS,
      auth: { quotaDaily: DEFAULT_QUOTA_DAILY },
    });
  });

  it('reads the removal policy and model names from context', () => {
    // Act
    const config = readConfig(
      nodeWith({
        removalPolicy: 'retain',
        artifactTtlDays: '30',
        geminiModel: 'g',
        groqModel: 'q',
        deepseekModel: 'd',
      }),
    );

    // Assess
    expect(config).toEqual({
      removalPolicy: RemovalPolicy.RETAIN,
      artifactTtlDays: 30,
      models: { gemini: 'g', groq: 'q', deepseek: 'd' },
      auth: { quotaDaily: DEFAULT_QUOTA_DAILY },
    });
  });

  it('refuses an unknown removal policy rather than guessing', () => {
    // Act + Assess
    expect(() => readConfig(nodeWith({ removalPolicy: 'snapshot' }))).toThrow(/removalPolicy/);
    expect(() => readConfig(nodeWith({ geminiModel: 3 }))).toThrow(/geminiModel/);
    expect(() => readConfig(nodeWith({ artifactTtlDays: '0' }))).toThrow(/artifactTtlDays/);
  });
});
