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
  const taskSecret = logicalId(stack.taskSecret.secret);
  const gitHubToken = logicalId(stack.gitHubToken.secret);

  /** Roles allowed to read the secret with this logical id, and roles allowed to read any secret. */
  const secretReaders = (id: string) =>
    rolesAllowed(
      template,
      'secretsmanager:GetSecretValue',
      (resource) => resource === JSON.stringify({ Ref: id }),
    );
  const anySecretReaders = () => rolesAllowed(template, 'secretsmanager:GetSecretValue', () => true);

  const bundled = {
    'http-api': stack.httpApi.handler,
    authorizer: stack.authorizer,
    'ws-default': stack.webSocketApi.defaultHandler,
    'ws-connection': stack.webSocketApi.connectionHandler,
    controller: stack.controller,
    'task-controller': stack.taskController,
    'transform-controller': stack.transformController,
    'transform-stream': stack.transformStream,
    notifier: stack.notifier,
    'task-delivery': stack.taskDelivery,
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

  it('gives the http-api function the memory to parse a 50 MiB upload within its 29 s', () => {
    // Assess
    expect(resources[functionId(stack.httpApi.handler)].Properties).toMatchObject({
      MemorySize: 2048,
      Timeout: 29,
    });
  });

  // These two only look up and bind users and connections: the table, no bucket.
  const tableOnly = ['authorizer', 'ws-connection'];

  it('gives every function the shared configuration, the table to all but the sandbox, the bucket to the rest', () => {
    // Assess
    for (const [name, fn] of Object.entries(all)) {
      const env = environmentOf(template, functionId(fn));
      if (tableOnly.includes(name)) expect(env, name).not.toHaveProperty('ARTIFACT_BUCKET');
      expect(env, name).toMatchObject({
        ...(name === 'sandbox' ? {} : { TABLE_NAME: { Ref: table } }),
        ...(name === 'sandbox' || tableOnly.includes(name) ? {} : { ARTIFACT_BUCKET: { Ref: bucket } }),
        POWERTOOLS_SERVICE_NAME: 'truth-engine',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
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

    const controllers = [stack.controller, stack.taskController, stack.transformController];
    // The delivery scans every site for the model keys before it pushes, so it reads them too.
    // The transform stream calls the models too, for the text it streams.
    const readersOfKeys = [...controllers, stack.transformStream, stack.taskDelivery];

    it('is readable by the controllers and the transform stream, which call the models, and the delivery, which scans for the keys', () => {
      // Act
      const readers = secretReaders(secret);

      // Assess
      expect(readers).toEqual(readersOfKeys.map((fn) => roleId(fn)).sort());
      for (const [name, fn] of Object.entries(all)) {
        const env = environmentOf(template, functionId(fn));
        if (readersOfKeys.includes(fn as never)) expect(env.LLM_SECRET_ARN, name).toEqual({ Ref: secret });
        else expect(env, name).not.toHaveProperty('LLM_SECRET_ARN');
      }
    });

    it('gives the controllers the model names', () => {
      // Assess
      for (const fn of controllers) {
        expect(environmentOf(template, functionId(fn)), fn.node.path).toMatchObject({
          GEMINI_MODEL: DEFAULT_MODELS.gemini,
          GROQ_MODEL: DEFAULT_MODELS.groq,
          DEEPSEEK_MODEL: DEFAULT_MODELS.deepseek,
        });
      }
    });
  });

  describe('task secret', () => {
    it('starts as a generated plain string, never an empty one and never in the template', () => {
      // Assess: the HTTP API refuses an empty secret at cold start, fix routes included.
      const properties = resources[taskSecret].Properties;
      expect(properties.SecretString).toBeUndefined();
      expect(properties.GenerateSecretString).toEqual({ PasswordLength: 48, ExcludePunctuation: true });
      expect(properties.GenerateSecretString.SecretStringTemplate).toBeUndefined();
    });

    const taskSecretReaders = [stack.httpApi.handler, stack.taskDelivery];

    it('is readable by the http-api function, which compares it, and the delivery, which scans for it', () => {
      // Assess
      expect(secretReaders(taskSecret)).toEqual(taskSecretReaders.map((fn) => roleId(fn)).sort());
      for (const [name, fn] of Object.entries(all)) {
        const env = environmentOf(template, functionId(fn));
        if (taskSecretReaders.includes(fn as never))
          expect(env.TASK_SECRET_ARN, name).toEqual({ Ref: taskSecret });
        else expect(env, name).not.toHaveProperty('TASK_SECRET_ARN');
      }
    });

    it('leaves no secret readable beyond these three, and by no one else', () => {
      // Act
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
        asArray<{ Action: string | string[]; Resource: unknown }>(policy.Properties.PolicyDocument.Statement),
      );
      const reads = statements.filter((statement) =>
        asArray(statement.Action).some((action) => actionMatches(action, 'secretsmanager:GetSecretValue')),
      );

      // Assess
      for (const statement of reads) {
        expect([{ Ref: secret }, { Ref: taskSecret }, { Ref: gitHubToken }]).toContainEqual(
          statement.Resource,
        );
      }
      expect(anySecretReaders()).toEqual(
        [
          stack.controller,
          stack.taskController,
          stack.transformController,
          stack.transformStream,
          stack.httpApi.handler,
          stack.taskDelivery,
        ]
          .map((fn) => roleId(fn))
          .sort(),
      );
    });
  });

  describe('GitHub token', () => {
    it('starts as JSON with an empty GITHUB_TOKEN, for the operator to fill', () => {
      // Assess
      expect(JSON.parse(resources[gitHubToken].Properties.SecretString)).toEqual({ GITHUB_TOKEN: '' });
    });

    it('is readable by the delivery function only, which finds it by GITHUB_TOKEN_SECRET_ARN', () => {
      // Assess
      expect(secretReaders(gitHubToken)).toEqual([roleId(stack.taskDelivery)]);
      for (const [name, fn] of Object.entries(all)) {
        const env = environmentOf(template, functionId(fn));
        if (fn === stack.taskDelivery)
          expect(env.GITHUB_TOKEN_SECRET_ARN, name).toEqual({ Ref: gitHubToken });
        else expect(env, name).not.toHaveProperty('GITHUB_TOKEN_SECRET_ARN');
      }
    });
  });

  describe('task delivery', () => {
    const fn = functionId(stack.taskDelivery);
    const role = roleId(stack.taskDelivery);

    it('runs the task-delivery handler under the 300 s of its longest state (Publish)', () => {
      // Assess
      const properties = resources[fn].Properties;
      expect(properties.Timeout).toBeLessThan(300);
      expect(properties.Description).toMatch(/^Task workflow after the judge/);
    });

    it('may read and write the table and the bucket, and push to subscribers', () => {
      // Assess
      expect(rolesAllowed(template, 'dynamodb:UpdateItem', (r) => r.includes(table))).toContain(role);
      expect(rolesAllowed(template, 's3:GetObject', (r) => r.includes(bucket))).toContain(role);
      expect(rolesAllowed(template, 's3:PutObject', (r) => r.includes(bucket))).toContain(role);
      expect(rolesAllowed(template, 'execute-api:ManageConnections', () => true)).toContain(role);
    });

    it('is not in the sandbox network: it reaches GitHub, the pages URL and the evaluator', () => {
      // Assess
      expect(resources[fn].Properties.VpcConfig).toBeUndefined();
    });
  });

  describe('task controller', () => {
    const fn = functionId(stack.taskController);
    const role = roleId(stack.taskController);

    it("runs the task-controller handler with the controller's size, under its state's 330 s", () => {
      // Assess
      const properties = resources[fn].Properties;
      const controller = resources[functionId(stack.controller)].Properties;
      expect(properties.MemorySize).toBe(controller.MemorySize);
      expect(properties.Timeout).toBeLessThan(330);
      expect(properties.Timeout).toBeGreaterThan(controller.Timeout);
      expect(properties.Description).toMatch(/^Task workflow/);
    });

    it('may read and write the table and the bucket, as the fix controller may', () => {
      // Prepare
      const actionsOn = (roleName: string, prefix: string) =>
        statementsOfRole(template, roleName)
          .flatMap((statement) => asArray(statement.Action))
          .filter((action) => action.startsWith(prefix))
          .sort();

      // Assess
      for (const prefix of ['dynamodb:', 's3:', 'secretsmanager:', 'execute-api:']) {
        expect(actionsOn(role, prefix), prefix).toEqual(actionsOn(roleId(stack.controller), prefix));
        expect(actionsOn(role, prefix).length, prefix).toBeGreaterThan(0);
      }
      expect(rolesAllowed(template, 'dynamodb:PutItem', (r) => r.includes(table))).toContain(role);
      expect(rolesAllowed(template, 's3:PutObject', (r) => r.includes(bucket))).toContain(role);
      expect(rolesAllowed(template, 's3:GetObject', (r) => r.includes(bucket))).toContain(role);
    });

    it('sets no task-kind switch: loopback callbacks stay refused in AWS', () => {
      // Assess
      for (const [name, f] of Object.entries(all)) {
        expect(environmentOf(template, functionId(f)), name).not.toHaveProperty(
          'TASK_ALLOW_LOOPBACK_CALLBACK',
        );
      }
    });
  });

  describe('outputs', () => {
    it('publishes the endpoints and resource names an operator needs', () => {
      // Assess
      const outputs = template.toJSON().Outputs;
      expect(outputs.TableName.Value).toEqual({ Ref: table });
      expect(outputs.BucketName.Value).toEqual({ Ref: bucket });
      expect(outputs.StateMachineArn.Value).toEqual({ Ref: logicalId(stack.fixWorkflow.stateMachine) });
      expect(outputs.TaskStateMachineArn.Value).toEqual({ Ref: logicalId(stack.taskWorkflow.stateMachine) });
      expect(outputs.LlmSecretArn.Value).toEqual({ Ref: secret });
      expect(outputs.TaskSecretArn.Value).toEqual({ Ref: taskSecret });
      expect(outputs.GitHubTokenSecretArn.Value).toEqual({ Ref: gitHubToken });
      expect(JSON.stringify(outputs.HttpApiUrl.Value)).toContain(logicalId(stack.httpApi.api));
      expect(JSON.stringify(outputs.HttpApiUrl.Value)).toMatch(/"https:\/\/"/);
      expect(JSON.stringify(outputs.WebSocketUrl.Value)).toContain(logicalId(stack.webSocketApi.api));
      expect(JSON.stringify(outputs.WebSocketUrl.Value)).toMatch(/"wss:\/\/"/);
    });
  });

  describe('transform stream', () => {
    it('is served by a function URL in RESPONSE_STREAM mode, authenticated by the function, open to the console only', () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::Url', {
        TargetFunctionArn: { 'Fn::GetAtt': [functionId(stack.transformStream), 'Arn'] },
        AuthType: 'NONE',
        InvokeMode: 'RESPONSE_STREAM',
        Cors: { AllowMethods: ['POST'], AllowHeaders: ['authorization', 'content-type'] },
      });
      template.resourceCountIs('AWS::Lambda::Url', 1);
    });

    it('reads the table and the bucket, and writes neither', () => {
      const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 's3:PutObject'];
      for (const action of writes) {
        expect(
          rolesAllowed(template, action, () => true),
          action,
        ).not.toContain(roleId(stack.transformStream));
      }
      expect(rolesAllowed(template, 'dynamodb:GetItem', () => true)).toContain(roleId(stack.transformStream));
    });
  });
});
