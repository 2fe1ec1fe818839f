import { Duration, IgnoreMode, Size, Stack } from 'aws-cdk-lib';
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
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.js';
import { type SharedFunctionSettingsProps, sharedFunctionSettings } from './function-defaults.js';

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

/** The only object keys a presigned request through the sandbox's endpoint may name. */
export const SANDBOX_KEY_PATTERN = 'sessions/*';

export interface SandboxFunctionProps extends SharedFunctionSettingsProps {
  /** The artifact bucket: the sandbox reaches it only through URLs the presigning role signed. */
  readonly bucket: IBucket;
  /** The roles that sign the sandbox's URLs (each kind's controller); the endpoint passes no other. */
  readonly presigners: readonly IRole[];
  /**
   * The limit the sandbox puts on one run of untrusted code.
   * @default Duration.seconds(10)
   */
  readonly runTimeout?: Duration;
  /**
   * One function runs both kinds' jobs, so it is sized for the larger: a headless Chromium (browser
   * process, renderer with a 512 MiB V8 heap, helpers; each held to 1 GiB of private memory) needs
   * 1–2 GB beside the Node runtime. 3008 MB covers that with room, buys about 1.7 vCPUs (Lambda
   * gives one per 1769 MB) for Chromium's several processes, and is the most a new account's
   * reduced memory quota lets a function have, so the stack deploys anywhere.
   * @default 3008
   */
  readonly memorySize?: number;
  /**
   * Must stay at or under the Sandbox state's TimeoutSeconds in every state machine (120 in both
   * the fix and the task definitions): a longer function timeout would only let the state time out
   * first while the function runs on. A browser job's own wall clock is far shorter.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
  /**
   * `/tmp` is the only writable place in Lambda: each run's work dir, and for a browser job
   * Chromium's fresh profile and, when it keeps its shared memory out of `/dev/shm`
   * (`--disable-dev-shm-usage`, the usual setting in Lambda), that too. The default 512 MB would
   * leave a page's rendering little room.
   * @default Size.gibibytes(1)
   */
  readonly ephemeralStorageSize?: Size;
}

/**
 * The function that runs untrusted candidate code, with no network and nothing worth stealing:
 * isolated subnets (no NAT, no internet gateway), a security group that only reaches the S3 gateway
 * endpoint, whose policy passes only requests the controller's role presigned for `sessions/*` in
 * the project's bucket, and a role that grants logs and traces — no table, no bucket. What it runs
 * (a Python candidate, or a site checked in a headless browser) comes in its event or by presigned
 * URL; its verdict goes back in its response.
 */
export class SandboxFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly vpc: Vpc;
  readonly securityGroup: ISecurityGroup;
  readonly bucketEndpoint: GatewayVpcEndpoint;

  constructor(scope: Construct, id: string, props: SandboxFunctionProps) {
    super(scope, id);
    const { bucket, presigners } = props;
    if (presigners.length === 0) throw new Error('the sandbox needs at least one presigning role');

    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing uses the default group; emptying it means nothing can by accident.
      restrictDefaultSecurityGroup: true,
    });
    const subnets = { subnetType: SubnetType.PRIVATE_ISOLATED };

    this.bucketEndpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [subnets],
    });
    // The first statement added replaces the endpoint's default allow-everything policy. A presigned
    // request acts as the role that signed it, so naming those roles lets nothing else through.
    // A condition's values are alternatives: any one of the roles matches.
    this.bucketEndpoint.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [bucket.arnForObjects(SANDBOX_KEY_PATTERN)],
        conditions: { ArnEquals: { 'aws:PrincipalArn': presigners.map((role) => role.roleArn) } },
      }),
    );

    // Written as the group's inline rules on purpose: egress rules added as separate resources (what
    // addEgressRule produces for a prefix list only known at deploy time) leave EC2's default
    // allow-all egress rule in place. Imported as immutable so nothing can add a rule later.
    const group = new CfnSecurityGroup(this, 'SecurityGroup', {
      vpcId: this.vpc.vpcId,
      groupDescription: 'Truth Engine sandbox: no inbound; outbound HTTPS to the S3 gateway endpoint only',
      securityGroupEgress: (['s3'] as const).map((service) => ({
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
      description:
        'Runs one candidate against its harness (Python, or a site in a headless browser), without network.',
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
      memorySize: props.memorySize ?? 3008,
      timeout: props.timeout ?? Duration.minutes(2),
      ephemeralStorageSize: props.ephemeralStorageSize ?? Size.gibibytes(1),
      vpc: this.vpc,
      vpcSubnets: subnets,
      securityGroups: [this.securityGroup],
      environment: {
        ...shared.environment,
        SANDBOX_TIMEOUT_MS: String((props.runTimeout ?? Duration.seconds(10)).toMilliseconds()),
      },
    });
  }

  /**
   * CloudFormation does not return a gateway endpoint's prefix list, and a synth-time context lookup
   * would need AWS credentials; so the id is read at deploy time from the AWS-managed prefix list,
   * which is named after the endpoint's service.
   */
  private prefixListId(service: 's3'): string {
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
