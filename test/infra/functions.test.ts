import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS } from '../../infra/aws/config.js';
import { LLM_KEY_NAMES } from '../../infra/aws/constructs/secrets.js';
import {
  actionMatches,
  asArray,
  environmentOf,
  functionId,
  logicalId,
  roleId,
  rolesAllowed,
  statementsOfRole,
  synthesizeTruthEngine,
} from './stack-template.js';

describe('Stack: TruthEngineStack functions', () => {
  const { stack, template, cleanup } = synthesizeTruthEngine();
  afterAll(cleanup);

  const resources = template.toJSON().Resources;
  const table = logicalId(stack.storage.table);
  const bucket = logicalId(stack.storage.bucket);
  const secret = logicalId(stack.secrets.secret);

  const bundled = {
    'http-api': stack.httpApi.handler,
    'ws-connect': stack.webSocketApi.connectHandler,
    'ws-disconnect': stack.webSocketApi.disconnectHandler,
    'ws-default': stack.webSocketApi.defaultHandler,
    controller: stack.controller,
    notifier: stack.notifier,
  };
  const all = { ...bundled, sandbox: stack.sandbox.function };

  it('runs every TypeScript handler on nodejs22.x, x86_64, from its bundle', () => {
    // Assess
    for (const [name, fn] of Object.entries(bundled)) {
      expect(resources[functionId(fn)].Properties, name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['x86_64'],
        Handler: 'index.handler',
      });
    }
  });

  it('traces every function and sends its logs to its own two-week log group', () => {
    // Assess
    const logGroups = new Set<string>();
    for (const [name, fn] of Object.entries(all)) {
      const properties = resources[functionId(fn)].Properties;
      expect(properties.TracingConfig, name).toEqual({ Mode: 'Active' });
      const logGroup: string = properties.LoggingConfig.LogGroup.Ref;
      expect(resources[logGroup].Type, name).toBe('AWS::Logs::LogGroup');
      expect(resources[logGroup].Properties.RetentionInDays, name).toBe(14);
      expect(resources[logGroup].DeletionPolicy, name).toBe('Delete');
      logGroups.add(logGroup);
    }
    expect(logGroups.size).toBe(Object.keys(all).length);
  });

  it('gives every function the shared configuration, and the table and bucket to all but the sandbox', () => {
    // Assess
    for (const [name, fn] of Object.entries(all)) {
      expect(environmentOf(template, functionId(fn)), name).toMatchObject({
        ...(name === 'sandbox' ? {} : { TABLE_NAME: { Ref: table }, ARTIFACT_BUCKET: { Ref: bucket } }),
        POWERTOOLS_SERVICE_NAME: 'truth-engine',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('grants no object access to the connection handlers, which only need the bucket name', () => {
    // Assess
    for (const fn of [stack.webSocketApi.connectHandler, stack.webSocketApi.disconnectHandler]) {
      const actions = statementsOfRole(template, roleId(fn)).flatMap((statement) =>
        asArray(statement.Action),
      );
      expect(actions.filter((action) => action.startsWith('s3:'))).toEqual([]);
    }
  });

  it('grants no function a wildcard on the table or the bucket', () => {
    // Assess
    for (const [name, fn] of Object.entries(all)) {
      for (const statement of statementsOfRole(template, roleId(fn))) {
        const data = asArray(statement.Action).some((action) => /^(dynamodb|s3):/.test(action));
        if (data) expect(asArray(statement.Resource), name).not.toContain('*');
      }
    }
  });

  describe('LLM secret', () => {
    it('starts with every provider key present and empty', () => {
      // Assess
      const secretString = JSON.parse(resources[secret].Properties.SecretString) as Record<string, string>;
      expect(secretString).toEqual(Object.fromEntries(LLM_KEY_NAMES.map((name) => [name, ''])));
    });

    it('is readable by the controller only', () => {
      // Act
      const readers = rolesAllowed(template, 'secretsmanager:GetSecretValue', () => true);
      const anySecretAccess = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        asArray<{ Action: string | string[] }>(policy.Properties.PolicyDocument.Statement).some((statement) =>
          asArray(statement.Action).some((action) => actionMatches(action, 'secretsmanager:GetSecretValue')),
        ),
      );

      // Assess
      expect(readers).toEqual([roleId(stack.controller)]);
      expect(anySecretAccess).toHaveLength(1);
      expect(environmentOf(template, functionId(stack.controller)).LLM_SECRET_ARN).toEqual({ Ref: secret });
      for (const [name, fn] of Object.entries(all)) {
        if (fn === stack.controller) continue;
        expect(environmentOf(template, functionId(fn)), name).not.toHaveProperty('LLM_SECRET_ARN');
      }
    });

    it('gives the controller the model names', () => {
      // Assess
      expect(environmentOf(template, functionId(stack.controller))).toMatchObject({
        GEMINI_MODEL: DEFAULT_MODELS.gemini,
        GROQ_MODEL: DEFAULT_MODELS.groq,
        DEEPSEEK_MODEL: DEFAULT_MODELS.deepseek,
      });
    });
  });

  describe('outputs', () => {
    it('publishes the endpoints and resource names an operator needs', () => {
      // Assess
      const outputs = template.toJSON().Outputs;
      expect(outputs.TableName.Value).toEqual({ Ref: table });
      expect(outputs.BucketName.Value).toEqual({ Ref: bucket });
      expect(outputs.StateMachineArn.Value).toEqual({ Ref: logicalId(stack.workflow.stateMachine) });
      expect(outputs.LlmSecretArn.Value).toEqual({ Ref: secret });
      expect(JSON.stringify(outputs.HttpApiUrl.Value)).toContain(logicalId(stack.httpApi.api));
      expect(JSON.stringify(outputs.HttpApiUrl.Value)).toMatch(/"https:\/\/"/);
      expect(JSON.stringify(outputs.WebSocketUrl.Value)).toContain(logicalId(stack.webSocketApi.api));
      expect(JSON.stringify(outputs.WebSocketUrl.Value)).toMatch(/"wss:\/\/"/);
    });
  });
});
