import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_DOCKERFILE } from '../../infra/aws/constructs/sandbox-function.js';
import {
  arnOf,
  asArray,
  environmentOf,
  functionId,
  logicalId,
  roleId,
  type Statement,
  statementsOfRole,
  synthesizeTruthEngine,
} from './stack-template.js';

const join$ = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

describe('Construct: SandboxFunction', () => {
  const { app, stack, template, cleanup } = synthesizeTruthEngine({ stageAssets: true });
  afterAll(cleanup);

  // Template JSON is untyped by nature; the assertions below say what they expect of it.
  const resources = template.toJSON().Resources;
  const sandboxFn = functionId(stack.sandbox.function);
  const bucketArn = arnOf(logicalId(stack.storage.bucket));
  const isolatedSubnets = stack.sandbox.vpc.isolatedSubnets.map((subnet) => logicalId(subnet));
  const isolatedRouteTables = stack.sandbox.vpc.isolatedSubnets.map((subnet) =>
    stack.resolve(subnet.routeTable.routeTableId),
  );

  describe('network', () => {
    it('has only isolated subnets: no NAT, no internet gateway, no routes out', () => {
      // Assess
      expect(stack.sandbox.vpc.publicSubnets).toHaveLength(0);
      expect(stack.sandbox.vpc.privateSubnets).toHaveLength(0);
      expect(isolatedSubnets.length).toBeGreaterThanOrEqual(2);
      for (const type of [
        'AWS::EC2::NatGateway',
        'AWS::EC2::InternetGateway',
        'AWS::EC2::EgressOnlyInternetGateway',
        'AWS::EC2::VPCGatewayAttachment',
        'AWS::EC2::EIP',
        'AWS::EC2::Route',
        'AWS::EC2::TransitGatewayAttachment',
        'AWS::EC2::VPCPeeringConnection',
      ]) {
        template.resourceCountIs(type, 0);
      }
      const subnets = template.findResources('AWS::EC2::Subnet');
      for (const subnet of Object.values(subnets)) {
        expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      }
    });

    it('runs the function in the isolated subnets behind its own security group', () => {
      // Assess
      const vpcConfig = resources[sandboxFn]?.Properties.VpcConfig;
      expect(vpcConfig.SubnetIds).toEqual(isolatedSubnets.map((id) => ({ Ref: id })));
      expect(vpcConfig.SecurityGroupIds).toEqual([
        stack.resolve(stack.sandbox.securityGroup.securityGroupId),
      ]);
    });

    it('lets the security group reach only the S3 prefix list, on 443, and nothing in', () => {
      // Prepare
      const groupRef = stack.resolve(stack.sandbox.securityGroup.securityGroupId) as {
        'Fn::GetAtt': string[];
      };
      const groupId = groupRef['Fn::GetAtt'][0] ?? '';
      const group = resources[groupId]?.Properties;
      const lookups = Object.entries<{ Type: string; Properties: Record<string, unknown> }>(resources).filter(
        ([, resource]) => resource.Type === 'Custom::AWS',
      );
      const lookupFor = (service: string) =>
        lookups.find(([, resource]) =>
          JSON.stringify(resource.Properties.Create).includes(`.${service}\\"`),
        )?.[0];

      // Assess
      expect(group.SecurityGroupIngress).toBeUndefined();
      // Inline egress is what removes EC2's default allow-all rule.
      expect(group.SecurityGroupEgress).toEqual(
        ['s3'].map((service) => ({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          DestinationPrefixListId: { 'Fn::GetAtt': [lookupFor(service), 'PrefixLists.0.PrefixListId'] },
          Description: expect.any(String),
        })),
      );
      const standaloneRules = [
        ...Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')),
        ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')),
      ];
      expect(standaloneRules).toEqual([]);
    });

    it('looks the prefix list up by the endpoint service name', () => {
      // Assess
      for (const service of ['s3']) {
        template.hasResourceProperties('Custom::AWS', {
          Create: join$(
            Match.stringLikeRegexp(
              '"action":"describePrefixLists".*"Name":"prefix-list-name".*com\\.amazonaws\\.$',
            ),
            { Ref: 'AWS::Region' },
            Match.stringLikeRegexp(`^\\.${service}"`),
          ),
          InstallLatestAwsSdk: false,
        });
      }
    });
  });

  describe('gateway endpoints', () => {
    interface Endpoint {
      Type: string;
      Properties: {
        ServiceName: unknown;
        VpcEndpointType: string;
        RouteTableIds: unknown;
        PolicyDocument: { Statement: Statement[] };
      };
    }
    const endpoint = (service: string) => {
      const found = Object.values<Endpoint>(resources).find(
        (resource) =>
          resource.Type === 'AWS::EC2::VPCEndpoint' &&
          JSON.stringify(resource.Properties.ServiceName) ===
            JSON.stringify(join$('com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`)),
      );
      if (found === undefined) throw new Error(`no ${service} endpoint`);
      return found.Properties;
    };

    it('route the isolated subnets to S3 alone: the sandbox has no way to the table', () => {
      // Assess
      expect(endpoint('s3').VpcEndpointType).toBe('Gateway');
      expect(endpoint('s3').RouteTableIds).toEqual(isolatedRouteTables);
      expect(() => endpoint('dynamodb')).toThrow(/no dynamodb endpoint/);
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    });

    it('pass only what a controller or the task delivery presigned, for objects under sessions/ in the project bucket', () => {
      // Assess
      const statements = endpoint('s3').PolicyDocument.Statement;
      expect(statements).toHaveLength(1);
      const [statement] = statements;
      expect(statement?.Effect).toBe('Allow');
      expect(asArray(statement?.Resource)).toEqual([join$(bucketArn, '/sessions/*')]);
      expect(asArray(statement?.Action).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(statement?.Condition).toEqual({
        ArnEquals: {
          'aws:PrincipalArn': [
            arnOf(roleId(stack.controller)),
            arnOf(roleId(stack.taskController)),
            arnOf(roleId(stack.transformController)),
            arnOf(roleId(stack.taskDelivery)),
          ],
        },
      });
    });
  });

  describe('function', () => {
    it('is the x86_64 container image sized for a headless Chromium, with a 2 minute timeout', () => {
      // Assess
      const properties = resources[sandboxFn]?.Properties;
      expect(properties).toMatchObject({
        PackageType: 'Image',
        Architectures: ['x86_64'],
        MemorySize: 3008,
        Timeout: 120,
        EphemeralStorage: { Size: 1024 },
        TracingConfig: { Mode: 'Active' },
      });
      // No table and no bucket: the sandbox is handed what it runs.
      expect(environmentOf(template, sandboxFn)).toEqual({
        SANDBOX_TIMEOUT_MS: '10000',
        POWERTOOLS_SERVICE_NAME: 'truth-engine',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    });

    it('builds its image from the repository root with the sandbox Dockerfile, for linux/amd64', () => {
      // Prepare
      const manifest = JSON.parse(
        readFileSync(join(app.outdir, `${stack.artifactId}.assets.json`), 'utf8'),
      ) as {
        dockerImages: Record<
          string,
          { source: { directory: string; dockerFile?: string; platform?: string } }
        >;
      };
      const images = Object.values(manifest.dockerImages);

      // Assess
      expect(images).toHaveLength(1);
      const source = images[0]?.source;
      expect(source?.dockerFile).toBe(SANDBOX_DOCKERFILE);
      expect(source?.platform).toBe('linux/amd64');
      const context = join(app.outdir, source?.directory ?? '');
      expect(existsSync(join(context, SANDBOX_DOCKERFILE))).toBe(true);
      expect(existsSync(join(context, 'lambdas', 'sandbox', 'handler.ts'))).toBe(true);
      expect(existsSync(join(context, 'package-lock.json'))).toBe(true);
      // Both exist in the repository; neither belongs in an image layer.
      expect(existsSync(join(context, 'node_modules'))).toBe(false);
      expect(existsSync(join(context, '.git'))).toBe(false);
    });
  });

  describe('role', () => {
    const role = roleId(stack.sandbox.function);
    const statements = statementsOfRole(template, role);

    it('carries only the basic logging and VPC networking managed policies', () => {
      // Assess
      const managed = resources[role]?.Properties.ManagedPolicyArns.map((arn: unknown) =>
        JSON.stringify(arn).replace(/.*:iam::aws:policy\/service-role\/(\w+).*/, '$1'),
      );
      expect(managed.sort()).toEqual(['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']);
      expect(resources[role]?.Properties.Policies).toBeUndefined();
    });

    it('grants nothing but traces: no DynamoDB, no S3, no other service', () => {
      // Assess
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        const services = new Set(asArray(statement.Action).map((action) => action.split(':')[0]));
        expect([...services]).toEqual(['xray']);
        if (services.has('xray')) {
          expect(asArray(statement.Action).sort()).toEqual([
            'xray:PutTelemetryRecords',
            'xray:PutTraceSegments',
          ]);
        }
      }
    });
  });
});
