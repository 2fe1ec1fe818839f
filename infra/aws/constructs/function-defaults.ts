import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.js';

/** The Node runtime every TypeScript handler runs on. */
export const NODE_RUNTIME = Runtime.NODEJS_22_X;

/**
 * One architecture for the whole stack: the sandbox image is built for x86_64, and keeping the
 * bundled functions on the same one means a native dependency never behaves differently by function.
 */
export const ARCHITECTURE = Architecture.X86_64;

/** Logs and telemetry settings shared by bundled functions and the sandbox image. */
export interface SharedFunctionSettingsProps {
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.TWO_WEEKS
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the function's log group when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** What every function gets, bundled or container image. */
export interface SharedFunctionSettings {
  readonly architecture: Architecture;
  readonly tracing: Tracing;
  readonly logGroup: LogGroup;
  readonly environment: Record<string, string>;
}

/**
 * Creates the function's own log group (retention without the log-retention custom resource)
 * and the settings every function shares.
 */
export function sharedFunctionSettings(
  scope: Construct,
  id: string,
  props: SharedFunctionSettingsProps = {},
): SharedFunctionSettings {
  const logGroup = new LogGroup(scope, `${id}LogGroup`, {
    retention: props.logRetention ?? RetentionDays.TWO_WEEKS,
    removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
  });
  return {
    architecture: ARCHITECTURE,
    tracing: Tracing.ACTIVE,
    logGroup,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'truth-engine',
      POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    },
  };
}

/**
 * How much of the table a function may touch. `getItem` is reading items by their key and nothing
 * else (no query, no scan): all a function needs that only looks items up.
 */
export type TableAccess = 'getItem' | 'read' | 'readWrite';

/**
 * How much of the bucket a function may touch. `nameOnly` sets `ARTIFACT_BUCKET` without a grant:
 * the shared configuration requires the variable at cold start, but some handlers never read objects.
 * `readWrite` is read + put: nothing deletes artifacts, the bucket's lifecycle does.
 */
export type BucketAccess = 'nameOnly' | 'read' | 'readWrite';

export interface BindTableOptions {
  readonly table: ITable;
  readonly accessMode: TableAccess;
}

export interface BindBucketOptions {
  readonly bucket: IBucket;
  readonly accessMode: BucketAccess;
  /**
   * Object keys the grant covers.
   * @default '*' (the whole bucket)
   */
  readonly keyPattern?: string;
}

/** Sets `TABLE_NAME` and the matching grant in one call, so neither can be forgotten. */
export function bindTable(fn: LambdaFunction, { table, accessMode }: BindTableOptions): void {
  fn.addEnvironment('TABLE_NAME', table.tableName);
  // On the table itself: GetItem has no meaning on an index, so the index ARNs a grant adds are left out.
  if (accessMode === 'getItem')
    Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:GetItem'], resourceArns: [table.tableArn] });
  else if (accessMode === 'read') table.grantReadData(fn);
  else table.grantReadWriteData(fn);
}

/** Sets `ARTIFACT_BUCKET` and the matching grant in one call, so neither can be forgotten. */
export function bindBucket(fn: LambdaFunction, { bucket, accessMode, keyPattern }: BindBucketOptions): void {
  fn.addEnvironment('ARTIFACT_BUCKET', bucket.bucketName);
  if (accessMode === 'nameOnly') return;
  bucket.grantRead(fn, keyPattern);
  if (accessMode === 'readWrite') bucket.grantPut(fn, keyPattern);
}

export interface TruthEngineFunctionProps extends SharedFunctionSettingsProps {
  /** Folder under {@link TruthEngineFunctionProps.lambdasDir} whose `handler.ts` exports `handler`. */
  readonly handlerDir: string;
  /**
   * Where the handler folders live.
   * @default `<repository root>/lambdas`
   */
  readonly lambdasDir?: string;
  /**
   * Memory in MB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Keep it under the timeout of whatever invokes the function, so the function's own timeout is
   * the error the caller sees.
   * @default Duration.seconds(29) (API Gateway's integration limit)
   */
  readonly timeout?: Duration;
  /**
   * Variables on top of the shared ones.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /** @default - generated from the construct path */
  readonly description?: string;
}

/**
 * A TypeScript handler from `lambdas/<handlerDir>/handler.ts`, bundled by esbuild into one ESM file:
 * Node 22, x86_64, X-Ray active, its own log group, source maps, the AWS SDK bundled at the pinned
 * version the tests ran against rather than whatever the runtime ships.
 */
export class TruthEngineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TruthEngineFunctionProps) {
    const shared = sharedFunctionSettings(scope, id, props);
    super(scope, id, {
      entry: join(props.lambdasDir ?? join(REPO_ROOT, 'lambdas'), props.handlerDir, 'handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: shared.architecture,
      tracing: shared.tracing,
      logGroup: shared.logGroup,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      description: props.description,
      environment: { ...shared.environment, ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        // Prefer ESM entry points so tree shaking works on the SDK.
        mainFields: ['module', 'main'],
        // CommonJS dependencies call require(); an ESM bundle has none unless it is recreated.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
  }

  bindTable(options: BindTableOptions): this {
    bindTable(this, options);
    return this;
  }

  bindBucket(options: BindBucketOptions): this {
    bindBucket(this, options);
    return this;
  }
}
