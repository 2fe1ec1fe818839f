import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { readConfig } from '../../infra/aws/config.js';
import { TruthEngineStack } from '../../infra/aws/truth-engine-stack.js';

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: TruthEngineStack;
  readonly template: Template;
  /** The stand-in console export the stack uploads. */
  readonly webConsoleAssetPath: string;
  /** Removes the cloud assembly and the console stand-in; call from afterAll. */
  readonly cleanup: () => void;
}

export interface SynthesizeOptions {
  /**
   * Copy assets into the cloud assembly. Copying the sandbox image's build context (the repository)
   * is most of a synth's time, so only a test that inspects that context should ask for it.
   * @default false
   */
  readonly stageAssets?: boolean;
  /**
   * Deployment settings, read by `readConfig` as `cdk deploy -c key=value` would give them.
   * @default - none: the stack's defaults
   */
  readonly context?: Record<string, string>;
}

/**
 * Synthesizes the real stack once for a test file. Bundling is skipped: these tests assert wiring,
 * and must not fail because a handler elsewhere in the tree is mid-edit (bundling has its own test).
 */
export function synthesizeTruthEngine(options: SynthesizeOptions = {}): SynthesizedStack {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      ...(options.stageAssets ? {} : { 'aws:cdk:disable-asset-staging': true }),
      ...options.context,
    },
  });
  const webConsole = consoleExport();
  const stack = new TruthEngineStack(app, 'TruthEngineTest', {
    webConsoleAssetPath: webConsole,
    config: options.context === undefined ? undefined : readConfig(app.node),
  });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    webConsoleAssetPath: webConsole,
    cleanup: () => {
      rmSync(app.outdir, { recursive: true, force: true });
      rmSync(webConsole, { recursive: true, force: true });
    },
  };
}

/**
 * A stand-in for the console's static export (`web/out`, built separately): a temporary directory
 * with an `index.html`, so the stack synthesizes without the real build.
 */
export function consoleExport(): string {
  const dir = mkdtempSync(join(tmpdir(), 'truth-engine-console-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>\n');
  return dir;
}

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export function logicalId(construct: IConstruct): string {
  const child = construct.node.defaultChild ?? construct;
  return Stack.of(construct).getLogicalId(child as CfnElement);
}

export function functionId(fn: IFunction): string {
  return logicalId(fn);
}

export function roleId(fn: IFunction): string {
  const role: IRole | undefined = fn.role;
  if (role === undefined) throw new Error(`${fn.node.path} has no role`);
  return logicalId(role);
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` as CloudFormation writes it. */
export function arnOf(id: string): Record<string, unknown> {
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every statement of every inline policy attached to the role with this logical id. */
export function statementsOfRole(template: Template, role: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      asArray(policy.Properties.Roles).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: role })),
    )
    .flatMap((policy) => asArray<Statement>(policy.Properties.PolicyDocument.Statement));
}

/** Roles (logical ids) whose inline policies allow `action` on a resource matching `resourceJson`. */
export function rolesAllowed(
  template: Template,
  action: string,
  resourceMatches: (resource: string) => boolean,
) {
  const policies = template.findResources('AWS::IAM::Policy');
  const roles = new Set<string>();
  for (const policy of Object.values(policies)) {
    const statements = asArray<Statement>(policy.Properties.PolicyDocument.Statement);
    const allows = statements.some(
      (statement) =>
        statement.Effect === 'Allow' &&
        asArray(statement.Action).some((candidate) => actionMatches(candidate, action)) &&
        asArray(statement.Resource).some((resource) => resourceMatches(JSON.stringify(resource))),
    );
    if (!allows) continue;
    for (const ref of asArray<{ Ref: string }>(policy.Properties.Roles)) roles.add(ref.Ref);
  }
  return [...roles].sort();
}

/** IAM wildcard match of a policy action against a concrete action. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

/** The environment variables of the function with this logical id. */
export function environmentOf(template: Template, fn: string): Record<string, unknown> {
  const resource = template.toJSON().Resources[fn];
  if (resource === undefined) throw new Error(`no resource ${fn}`);
  return resource.Properties.Environment?.Variables ?? {};
}
