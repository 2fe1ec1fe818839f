import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../../shared/adapters/dynamodb/table-design.js';
import { UPLOAD_TTL_HOURS } from '../../../shared/domain/limits.js';

export interface StorageProps {
  /**
   * DESTROY also empties the bucket on delete; anything else keeps both table and bucket.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long code, diffs, outputs and logs are kept; the table's verdicts outlive them.
   * @default 7
   */
  readonly artifactTtlDays?: number;
}

/**
 * The one table (sessions, candidates, users, connections, evaluator rounds) and the one bucket
 * (artifacts and logs too large for a table item or a state payload).
 */
export class Storage extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    // Keys and indexes as the design says them, the same the local stack builds dynalite's table from.
    const string = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new Table(this, 'Table', {
      partitionKey: string(TABLE_DESIGN.partitionKey),
      sortKey: string(TABLE_DESIGN.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_DESIGN.timeToLive,
      removalPolicy,
    });
    for (const index of TABLE_DESIGN.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }

    this.bucket = new Bucket(this, 'Artifacts', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Artifacts are working copies; the table keeps what a session needs to be shown again.
      lifecycleRules: [
        { id: 'expire-artifacts', expiration: Duration.days(props.artifactTtlDays ?? 7) },
        // A file sent by presigned upload is kept only as long as it can be made a dataset.
        {
          id: 'expire-uploads',
          prefix: 'uploads/',
          expiration: Duration.days(Math.ceil(UPLOAD_TTL_HOURS / 24)),
        },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
  }

  /**
   * Lets a browser page from `origin` post a presigned form (a large dataset's upload) to the
   * bucket. A presigned GET needs no rule: the page navigates to it rather than fetching it.
   */
  allowFormUploadsFrom(origin: string): void {
    this.bucket.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: [HttpMethods.POST],
      allowedHeaders: ['*'],
      maxAge: 3600,
    });
  }
}
