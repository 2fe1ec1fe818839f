import { Duration, IgnoreMode, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  CfnSecurityGroup,
  type GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  type ISecurityGroup,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.js';
import {
  bindBucket,
  bindTable,
  type SharedFunctionSettingsProps,
  sharedFunctionSettings,
} from './function-defaults.js';

/** The Dockerfile of the sandbox image, relative to the build context (the repository root). */
export const SANDBOX_DOCKERFILE = 'sandbox-image/Dockerfile';

/**
 * Kept out of the image's build context: large or generated folders, and anything that may hold
 * credentials (`.env`), which would otherwise end up in a layer.
 */
export const SANDBOX_CONTEXT_EXCLUDES = [
  'node_modules',
  'cdk.out',
  '.git',
  '.truth-engine',
  '.env',
  '.env.*',
  '*.log',
  'coverage',
  'test',
];

/** The only object keys the sandbox may read or write. */
export const SANDBOX_KEY_PATTERN = 'sessions/*';

/** DynamoDB actions that may leave the sandbox's VPC; the table is the only resource they may name. */
const TABLE_ENDPOINT_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

export interface SandboxFunctionProps extends SharedFunctionSettingsProps {
  readonly table: ITable;
  readonly bucket: IBucket;
  /**
   * The limit the sandbox puts on one run of untrusted code.
   * @default Duration.seconds(10)
   */
  readonly runTimeout?: Duration;
  /**
   * @default 2048
   */
  readonly memorySize?: number;
  /**
   * Must stay at or under the Sandbox state's TimeoutSeconds in the state machine.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

/**
 * The function that runs untrusted candidate code, with no network: isolated subnets (no NAT, no
 * internet gateway), a security group that only reaches the DynamoDB and S3 gateway endpoints,
 * endpoint policies naming only the project's table and bucket, and a role that grants logs,
 * traces, the table and `sessions/*` in the bucket — nothing else.
 */
export class SandboxFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly vpc: Vpc;
  readonly securityGroup: ISecurityGroup;
  readonly tableEndpoint: GatewayVpcEndpoint;
  readonly bucketEndpoint: GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: SandboxFunctionProps) {
    super(scope, id);
    const { table, bucket } = props;

    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing uses the default group; emptying it means nothing can by accident.
      restrictDefaultSecurityGroup: true,
    });
    const subnets = { subnetType: SubnetType.PRIVATE_ISOLATED };

    this.tableEndpoint = this.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [subnets],
    });
    // The first statement added replaces the endpoint's default allow-everything policy.
    this.tableEndpoint.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: TABLE_ENDPOINT_ACTIONS,
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );

    this.bucketEndpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [subnets],
    });
    this.bucketEndpoint.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [bucket.arnForObjects(SANDBOX_KEY_PATTERN)],
      }),
    );
    // Without ListBucket a missing key answers 403 instead of NoSuchKey.
    this.bucketEndpoint.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
    );

    // Written as the group's inline rules on purpose: egress rules added as separate resources (what
    // addEgressRule produces for a prefix list only known at deploy time) leave EC2's default
    // allow-all egress rule in place. Imported as immutable so nothing can add a rule later.
    const group = new CfnSecurityGroup(this, 'SecurityGroup', {
      vpcId: this.vpc.vpcId,
      groupDescription:
        'Truth Engine sandbox: no inbound; outbound HTTPS to the DynamoDB and S3 gateway endpoints only',
      securityGroupEgress: (['dynamodb', 's3'] as const).map((service) => ({
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        destinationPrefixListId: this.prefixListId(service),
        description: `HTTPS to the ${service} gateway endpoint`,
      })),
    });
    this.securityGroup = SecurityGroup.fromSecurityGroupId(this, 'ImportedSecurityGroup', group.attrGroupId, {
      allowAllOutbound: false,
      mutable: false,
    });

    const shared = sharedFunctionSettings(this, 'Function', props);
    this.function = new DockerImageFunction(this, 'Function', {
      description: 'Runs one candidate against its harness, without network.',
      code: DockerImageCode.fromImageAsset(REPO_ROOT, {
        file: SANDBOX_DOCKERFILE,
        exclude: SANDBOX_CONTEXT_EXCLUDES,
        // The patterns mean what they would in a .dockerignore at the repository root.
        ignoreMode: IgnoreMode.DOCKER,
        platform: Platform.LINUX_AMD64,
      }),
      architecture: shared.architecture,
      tracing: shared.tracing,
      logGroup: shared.logGroup,
      memorySize: props.memorySize ?? 2048,
      timeout: props.timeout ?? Duration.minutes(2),
      vpc: this.vpc,
      vpcSubnets: subnets,
      securityGroups: [this.securityGroup],
      environment: {
        ...shared.environment,
        SANDBOX_TIMEOUT_MS: String((props.runTimeout ?? Duration.seconds(10)).toMilliseconds()),
      },
    });
    bindTable(this.function, { table, accessMode: 'readWrite' });
    bindBucket(this.function, { bucket, accessMode: 'readWrite', keyPattern: SANDBOX_KEY_PATTERN });
  }

  /**
   * CloudFormation does not return a gateway endpoint's prefix list, and a synth-time context lookup
   * would need AWS credentials; so the id is read at deploy time from the AWS-managed prefix list,
   * which is named after the endpoint's service.
   */
  private prefixListId(service: 'dynamodb' | 's3'): string {
    const region = Stack.of(this).region;
    const lookup = new AwsCustomResource(this, `${service}PrefixList`, {
      onUpdate: {
        service: 'EC2',
        action: 'describePrefixLists',
        parameters: {
          Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.${service}`] }],
        },
        physicalResourceId: PhysicalResourceId.of(`truth-engine-${service}-prefix-list`),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      // Deploy-time installs would reach the npm registry; the bundled SDK has DescribePrefixLists.
      installLatestAwsSdk: false,
    });
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}
