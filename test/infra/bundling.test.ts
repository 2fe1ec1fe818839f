import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TruthEngineFunction } from '../../infra/aws/constructs/function-defaults.js';
import { REPO_ROOT } from '../../infra/aws/paths.js';

/**
 * Bundles a handler for real with the project's esbuild settings and runs the output, so the
 * ESM format, the `require` banner and the source maps are proven rather than assumed. The handler
 * lives in a scratch folder so this test does not depend on the application's handlers compiling.
 */
describe('Construct: TruthEngineFunction bundling', () => {
  let scratch: string;
  let app: App;
  let fn: TruthEngineFunction;
  let bundleDir: string;

  beforeAll(() => {
    // Under node_modules so that esbuild resolves the project's dependencies from the fixture.
    mkdirSync(join(REPO_ROOT, 'node_modules', '.cache'), { recursive: true });
    scratch = mkdtempSync(join(REPO_ROOT, 'node_modules', '.cache', 'infra-bundling-'));
    mkdirSync(join(scratch, 'probe'));
    // `ws` is CommonJS that calls require('events') and friends: it only loads from an ESM bundle
    // when the banner recreates `require`.
    writeFileSync(
      join(scratch, 'probe', 'handler.ts'),
      [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { WebSocketServer } from 'ws';",
        'export const handler = async (): Promise<{ server: string; sdk: string; esm: boolean }> => ({',
        '  server: typeof WebSocketServer,',
        '  sdk: typeof DynamoDBClient,',
        "  esm: typeof import.meta.url === 'string',",
        '});',
        '',
      ].join('\n'),
    );

    // Prepare
    app = new App();
    const stack = new Stack(app, 'BundlingTest');
    fn = new TruthEngineFunction(stack, 'Probe', { handlerDir: 'probe', lambdasDir: scratch });

    // Act
    Template.fromStack(stack);
    const asset = fn.node.findChild('Code') as Asset;
    bundleDir = join(app.outdir, asset.assetPath);
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(app.outdir, { recursive: true, force: true });
  });

  it('emits one ESM file with its source map', () => {
    // Assess
    expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true);
    const map = JSON.parse(readFileSync(join(bundleDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith('probe/handler.ts'))).toBe(true);
  });

  it('runs on its own: CommonJS dependencies load and the AWS SDK is inside the bundle', async () => {
    // Assess
    // Loaded from outside the project, so nothing can come from the project's node_modules.
    expect(relative(REPO_ROOT, bundleDir).startsWith('..')).toBe(true);
    const module = (await import(pathToFileURL(join(bundleDir, 'index.mjs')).href)) as {
      handler: () => Promise<unknown>;
    };
    await expect(module.handler()).resolves.toEqual({ server: 'function', sdk: 'function', esm: true });
    const bundle = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
  });
});
