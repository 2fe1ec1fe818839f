import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { App, FileSystem, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebConsole } from '../../infra/aws/constructs/web-console.js';
import { WEB_CONSOLE_DIR } from '../../infra/aws/paths.js';
import {
  asArray,
  consoleExport,
  logicalId,
  type Statement,
  synthesizeTruthEngine,
} from './stack-template.js';

const join$ = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

describe('Construct: WebConsole', () => {
  // Source.jsonData writes config.json into a temporary directory and removes it once the asset is
  // bound; with asset staging off (as these tests synthesize) nothing else keeps a copy, so the
  // directory is kept until the end of the file to read what the deployment uploads.
  const kept: string[] = [];
  const rmrf = FileSystem.rmrf.bind(FileSystem);
  const keepDataSources = vi.spyOn(FileSystem, 'rmrf').mockImplementation((dir: string) => {
    if (basename(dir).startsWith('s3-deployment')) kept.push(dir);
    else rmrf(dir);
  });
  const { app, stack, template, cleanup } = synthesizeTruthEngine();
  keepDataSources.mockRestore();
  afterAll(() => {
    cleanup();
    for (const dir of kept) rmSync(dir, { recursive: true, force: true });
  });

  const resources = template.toJSON().Resources;
  const bucket = logicalId(stack.webConsole.bucket);
  const distribution = logicalId(stack.webConsole.distribution);
  const routeRewrite = logicalId(stack.webConsole.routeRewrite);
  const httpApi = logicalId(stack.httpApi.api);
  const webSocketApi = logicalId(stack.webSocketApi.api);
  const userPoolDomain = logicalId(stack.identity.domain);
  const userPoolClient = logicalId(stack.identity.client);
  const distributionConfig = resources[distribution].Properties.DistributionConfig;
  const consoleOrigin = join$('https://', { 'Fn::GetAtt': [distribution, 'DomainName'] });

  const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')) as Array<{
    Properties: Record<string, unknown>;
  }>;

  describe('bucket', () => {
    it('blocks all public access, is encrypted with S3-managed keys and hosts no website', () => {
      // Assess
      const properties = resources[bucket].Properties;
      expect(properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(properties).not.toHaveProperty('WebsiteConfiguration');
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
              Resource: Match.arrayWith([{ 'Fn::GetAtt': [bucket, 'Arn'] }]),
            }),
          ]),
        },
      });
    });

    it('lets only this distribution read objects, through OAC: no OAI, no public principal', () => {
      // Arrange
      const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter(
        (policy) => JSON.stringify(policy.Properties.Bucket) === JSON.stringify({ Ref: bucket }),
      );
      const statements = policies.flatMap((policy) =>
        asArray<Statement>(policy.Properties.PolicyDocument.Statement),
      );

      // Act
      const allows = statements.filter((statement) => statement.Effect === 'Allow');
      const readers = allows.filter((statement) =>
        asArray(statement.Action).some((action) => action === 's3:GetObject' || action === 's3:GetObject*'),
      );

      // Assess
      expect(policies).toHaveLength(1);
      expect(readers).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Resource: join$({ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*'),
          Condition: {
            StringEquals: {
              'AWS:SourceArn': join$(
                'arn:',
                { Ref: 'AWS::Partition' },
                ':cloudfront::',
                { Ref: 'AWS::AccountId' },
                ':distribution/',
                { Ref: distribution },
              ),
            },
          },
        },
      ]);
      // The only other Allow is the auto-delete provider's, on a dev stack.
      for (const statement of allows.filter((s) => !readers.includes(s))) {
        expect(JSON.stringify(statement.Principal)).toContain('CustomS3AutoDeleteObjects');
        expect(asArray(statement.Action)).not.toContain('s3:GetObject');
      }
      for (const statement of allows) {
        expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"|CanonicalUser|OriginAccessIdentity/);
      }
      template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    });
  });

  describe('distribution', () => {
    it('reads the bucket through an Origin Access Control that always signs with SigV4', () => {
      // Arrange
      const [origin] = distributionConfig.Origins;
      const oac = origin.OriginAccessControlId['Fn::GetAtt'][0];

      // Assess
      expect(distributionConfig.Origins).toHaveLength(1);
      expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [bucket, 'RegionalDomainName'] });
      expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      expect(resources[oac]).toMatchObject({
        Type: 'AWS::CloudFront::OriginAccessControl',
        Properties: {
          OriginAccessControlConfig: {
            OriginAccessControlOriginType: 's3',
            SigningBehavior: 'always',
            SigningProtocol: 'sigv4',
          },
        },
      });
    });

    it('redirects HTTP to HTTPS on every behaviour and serves index.html at the root', () => {
      // Assess
      expect(distributionConfig.DefaultRootObject).toBe('index.html');
      expect(distributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      for (const behaviour of distributionConfig.CacheBehaviors) {
        expect(behaviour.ViewerProtocolPolicy, behaviour.PathPattern).toBe('redirect-to-https');
      }
    });

    it('keeps /_next/static a year and pages and config.json not at all beyond a minute', () => {
      // Arrange
      const policyOf = (behaviour: { CachePolicyId: { Ref: string } }) =>
        resources[behaviour.CachePolicyId.Ref].Properties.CachePolicyConfig;
      const headersOf = (behaviour: { ResponseHeadersPolicyId: { Ref: string } }) =>
        resources[behaviour.ResponseHeadersPolicyId.Ref].Properties.ResponseHeadersPolicyConfig
          .CustomHeadersConfig.Items;
      const year = 365 * 24 * 3600;

      // Act
      const assets = distributionConfig.CacheBehaviors.find(
        (behaviour: { PathPattern: string }) => behaviour.PathPattern === '/_next/static/*',
      );
      const pages = distributionConfig.DefaultCacheBehavior;

      // Assess
      expect(distributionConfig.CacheBehaviors).toHaveLength(1);
      expect(policyOf(assets)).toMatchObject({ MinTTL: year, DefaultTTL: year, MaxTTL: year });
      expect(headersOf(assets)).toEqual([
        { Header: 'Cache-Control', Value: 'public, max-age=31536000, immutable', Override: true },
      ]);
      expect(policyOf(pages)).toMatchObject({ MinTTL: 0, DefaultTTL: 0 });
      expect(policyOf(pages).MaxTTL).toBeLessThanOrEqual(60);
      expect(headersOf(pages)).toEqual([{ Header: 'Cache-Control', Value: 'no-cache', Override: true }]);
    });
  });

  describe('route rewrite', () => {
    const code: string = resources[routeRewrite].Properties.FunctionCode;
    const rewrite = (uri: string): string => {
      const context: { handler?: (event: unknown) => { uri: string } } = {};
      runInNewContext(code, context);
      if (context.handler === undefined) throw new Error('the function code defines no handler');
      return context.handler({ request: { uri, method: 'GET', headers: {}, querystring: {} } }).uri;
    };

    it('runs on viewer request of the default behaviour, on the 2.0 runtime', () => {
      // Assess
      expect(distributionConfig.DefaultCacheBehavior.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [routeRewrite, 'FunctionARN'] } },
      ]);
      expect(resources[routeRewrite].Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    });

    it.each([
      ['/sessions/3f2a-9c', '/sessions.html'],
      ['/sessions/3f2a-9c/', '/sessions.html'],
      ['/sessions/3f2a-9c.txt', '/sessions.txt'],
      ['/sessions/3f2a-9c/__next.sessions.txt', '/sessions/__next.sessions.txt'],
      ['/sessions/3f2a-9c/__next._tree.txt', '/sessions/__next._tree.txt'],
      ['/tasks/captcha.solver/2', '/tasks.html'],
      ['/tasks/captcha.solver/2/', '/tasks.html'],
      ['/tasks/captcha.solver/2.txt', '/tasks.txt'],
      ['/tasks/captcha.solver/2/__next.tasks.__PAGE__.txt', '/tasks/__next.tasks.__PAGE__.txt'],
      ['/s/Zx8_q-3kTt', '/s.html'],
      ['/s/Zx8_q-3kTt/', '/s.html'],
      ['/s/Zx8_q-3kTt.txt', '/s.txt'],
      ['/s/Zx8_q-3kTt/__next.s.__PAGE__.txt', '/s/__next.s.__PAGE__.txt'],
    ])('maps the dynamic page address %s to the exported %s', (uri, file) => {
      // Act + Assess
      expect(rewrite(uri)).toBe(file);
    });

    it.each([
      ['/sessions', '/sessions.html'],
      ['/sessions/', '/sessions.html'],
      ['/tasks', '/tasks.html'],
      ['/s', '/s.html'],
      ['/history', '/history.html'],
      ['/auth/callback', '/auth/callback.html'],
      ['/about/team', '/about/team.html'],
      ['/404', '/404.html'],
    ])('maps the extensionless %s to %s (trailingSlash false)', (uri, file) => {
      // Act + Assess
      expect(rewrite(uri)).toBe(file);
    });

    it.each([
      '/',
      '/index.html',
      '/index.txt',
      '/config.json',
      '/sessions.txt',
      '/sessions/__next.sessions.txt',
      '/tasks/__next._tree.txt',
      '/s.txt',
      '/s/__next._tree.txt',
      '/_next/static/chunks/app-3f9a.js',
      '/favicon.ico',
    ])('leaves the file %s as it is', (uri) => {
      // Act + Assess
      expect(rewrite(uri)).toBe(uri);
    });
  });

  describe('deployment', () => {
    const [deployment] = deployments;
    const properties = deployment?.Properties as {
      SourceObjectKeys: string[];
      SourceMarkers: Record<string, unknown>[];
      SourceMarkersConfig: Record<string, unknown>[];
      DestinationBucketName: unknown;
      DistributionId: unknown;
      DistributionPaths: string[];
      Prune: boolean;
    };

    /** Each source's directory, by the object key the deployment names it with. */
    const sourceDirs = (): Map<string, string> => {
      const assembly = app.synth();
      const manifests = assembly.artifacts.filter(
        (artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact,
      );
      const dirs = new Map<string, string>();
      for (const manifest of manifests) {
        for (const [hash, file] of Object.entries(manifest.contents.files ?? {})) {
          const path = file.source.path;
          if (path !== undefined)
            dirs.set(`${hash}.zip`, isAbsolute(path) ? path : join(assembly.directory, path));
        }
      }
      return dirs;
    };

    it('uploads the export and a config.json into the console bucket, pruning the rest', () => {
      // Assess
      expect(deployments).toHaveLength(1);
      expect(properties.DestinationBucketName).toEqual({ Ref: bucket });
      expect(properties.SourceObjectKeys).toHaveLength(2);
      expect(properties.Prune).toBe(true);
    });

    /** The uploaded config.json, and a resolver putting each marker's CloudFormation value back. */
    const uploadedConfig = () => {
      const dirs = sourceDirs();
      const configIndex = properties.SourceObjectKeys.findIndex((key) => {
        const dir = dirs.get(key);
        return dir !== undefined && existsSync(join(dir, 'config.json'));
      });
      const dir = dirs.get(properties.SourceObjectKeys[configIndex] ?? '');
      if (dir === undefined) throw new Error('no deployment source holds config.json');
      const markers = properties.SourceMarkers[configIndex] ?? {};
      const raw = readFileSync(join(dir, 'config.json'), 'utf8');
      const config = JSON.parse(raw) as {
        apiUrl: string;
        wsUrl: string;
        streamUrl: string;
        auth: Record<string, unknown> & { scopes: unknown };
      };
      const resolve = (text: string) =>
        text
          .split(/(<<marker:0xbaba:\d+>>)/)
          .filter((part) => part !== '')
          .map((part) => markers[part] ?? part);
      return { config, resolve, configIndex };
    };

    it('writes config.json at deploy time with the HTTP API and WebSocket stage URLs', () => {
      // Act
      const { config, resolve, configIndex } = uploadedConfig();

      // Assess
      expect(Object.keys(config).sort()).toEqual(['apiUrl', 'auth', 'streamUrl', 'wsUrl']);
      expect(properties.SourceMarkersConfig[configIndex]).toEqual({ jsonEscape: true });
      expect(resolve(config.apiUrl)).toEqual([
        'https://',
        { Ref: httpApi },
        '.execute-api.',
        { Ref: 'AWS::Region' },
        '.',
        { Ref: 'AWS::URLSuffix' },
        '/',
      ]);
      expect(resolve(config.wsUrl)).toEqual([
        'wss://',
        { Ref: webSocketApi },
        '.execute-api.',
        { Ref: 'AWS::Region' },
        '.',
        { Ref: 'AWS::URLSuffix' },
        '/prod',
      ]);
      // The text streams come from the streaming function's URL.
      expect(resolve(config.streamUrl)).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^TransformStreamFunctionUrl/), 'FunctionUrl'] },
      ]);
    });

    it("names the hosted UI's OAuth endpoints and the console's app client in config.json", () => {
      // Act
      const { config, resolve } = uploadedConfig();
      const hostedUi = (path: string) => [
        'https://',
        { Ref: userPoolDomain },
        '.auth.',
        { Ref: 'AWS::Region' },
        `.amazoncognito.com${path}`,
      ];

      // Assess
      expect(Object.keys(config.auth).sort()).toEqual([
        'authorizeUrl',
        'clientId',
        'logoutUrl',
        'mode',
        'scopes',
        'tokenUrl',
      ]);
      expect(config.auth.mode).toBe('oauth');
      expect(resolve(String(config.auth.authorizeUrl))).toEqual(hostedUi('/oauth2/authorize'));
      expect(resolve(String(config.auth.tokenUrl))).toEqual(hostedUi('/oauth2/token'));
      expect(resolve(String(config.auth.logoutUrl))).toEqual(hostedUi('/logout'));
      expect(resolve(String(config.auth.clientId))).toEqual([{ Ref: userPoolClient }]);
      expect(config.auth.scopes).toEqual(['openid', 'email', 'profile']);
    });

    it('uploads the export directory it was given as the other source', () => {
      // Arrange
      const dirs = sourceDirs();

      // Act
      const exported = properties.SourceObjectKeys.map((key) => dirs.get(key)).filter(
        (dir) => dir !== undefined && existsSync(join(dir, 'index.html')),
      );

      // Assess
      expect(exported).toEqual([stack.webConsole.assetPath]);
    });

    it('invalidates the whole distribution on every deploy', () => {
      // Assess
      expect(properties.DistributionId).toEqual({ Ref: distribution });
      expect(properties.DistributionPaths).toEqual(['/*']);
    });
  });

  describe('HTTP API CORS', () => {
    it('allows exactly the console origin, with GET, POST, DELETE, OPTIONS and its two headers', () => {
      // Assess
      expect(resources[httpApi].Properties.CorsConfiguration).toMatchObject({
        AllowOrigins: [consoleOrigin],
        AllowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        AllowHeaders: ['content-type', 'authorization'],
      });
      expect(resources[httpApi].Properties.CorsConfiguration).not.toHaveProperty('AllowCredentials');
    });
  });

  describe('outputs', () => {
    it('names the console URL beside the API URLs', () => {
      // Assess
      const outputs = template.toJSON().Outputs;
      expect(outputs.ConsoleUrl.Value).toEqual(consoleOrigin);
      expect(outputs).toHaveProperty('HttpApiUrl');
      expect(outputs).toHaveProperty('WebSocketUrl');
    });
  });

  describe('without the static export', () => {
    it('refuses to synthesize and says to run npm run build:web', () => {
      // Arrange
      const missing = consoleExport();
      rmSync(missing, { recursive: true, force: true });
      const bare = new Stack(new App(), 'NoConsoleExport');

      // Act + Assess
      expect(() => new WebConsole(bare, 'WebConsole', { assetPath: missing })).toThrow(
        /does not exist: run `npm run build:web` first/,
      );
    });

    it('defaults to the repository web/out', () => {
      // Arrange
      const bare = new Stack(new App(), 'DefaultConsoleExport');

      // Act + Assess
      if (existsSync(join(WEB_CONSOLE_DIR, 'index.html'))) {
        expect(new WebConsole(bare, 'WebConsole').assetPath).toBe(WEB_CONSOLE_DIR);
      } else {
        expect(() => new WebConsole(bare, 'WebConsole')).toThrow(WEB_CONSOLE_DIR);
      }
    });
  });

  describe('alone in a stack', () => {
    const auth = {
      mode: 'oauth',
      authorizeUrl: 'https://id.example/oauth2/authorize',
      tokenUrl: 'https://id.example/oauth2/token',
      logoutUrl: 'https://id.example/logout',
      clientId: 'client',
      scopes: ['openid'],
    } as const;

    it('synthesizes with a plain config and one deployment', () => {
      // Arrange
      const dir = consoleExport();
      const bare = new Stack(new App({ context: { 'aws:cdk:disable-asset-staging': true } }), 'Alone');
      const console = new WebConsole(bare, 'WebConsole', { assetPath: dir });

      // Act
      console.deploy({ apiUrl: 'https://api.example/', wsUrl: 'wss://ws.example/prod', auth });
      const alone = Template.fromStack(bare);
      rmSync(dir, { recursive: true, force: true });

      // Assess
      alone.resourceCountIs('Custom::CDKBucketDeployment', 1);
      expect(() => console.deploy({ apiUrl: '', wsUrl: '', auth })).toThrow(/already deployed/);
    });
  });
});
