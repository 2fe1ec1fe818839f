import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { definitionPlaceholders, FixWorkflow } from '../../infra/aws/constructs/fix-workflow.js';
import { FIX_DEFINITION_PATH } from '../../infra/aws/paths.js';
import {
  arnOf,
  asArray,
  environmentOf,
  functionId,
  logicalId,
  roleId,
  rolesAllowed,
  statementsOfRole,
  synthesizeTruthEngine,
} from './stack-template.js';

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Parameters?: { FunctionName?: unknown };
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Choices?: Array<{ Next: string }>;
  ItemProcessor?: { StartAt: string; States: Record<string, State> };
}

interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

/** Replaces each `"${Name}"` string with its substitution, as CloudFormation does at deploy time. */
function substitute(value: unknown, substitutions: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z0-9_]+)\}$/.exec(value);
    if (whole?.[1] !== undefined && whole[1] in substitutions) return substitutions[whole[1]];
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, substitutions));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, substitutions)]),
    );
  }
  return value;
}

describe('Construct: FixWorkflow', () => {
  const { stack, template, cleanup } = synthesizeTruthEngine();
  afterAll(cleanup);

  const machineId = logicalId(stack.workflow.stateMachine);
  const machine = template.toJSON().Resources[machineId];
  const definitionString: string = machine.Properties.DefinitionString;
  const substitutions: Record<string, unknown> = machine.Properties.DefinitionSubstitutions;
  const deployed = substitute(JSON.parse(definitionString), substitutions) as Definition;

  const controller = functionId(stack.controller);
  const sandbox = functionId(stack.sandbox.function);
  const notifier = functionId(stack.notifier);

  describe('definition', () => {
    it('is the ASL file the local stack runs, unchanged', () => {
      // Assess
      expect(JSON.parse(definitionString)).toEqual(JSON.parse(readFileSync(FIX_DEFINITION_PATH, 'utf8')));
    });

    it('substitutes every placeholder with one of the three function ARNs', () => {
      // Assess
      expect(definitionPlaceholders(definitionString)).toEqual(Object.keys(substitutions).sort());
      expect(substitutions).toEqual({
        ControllerFunctionArn: arnOf(controller),
        SandboxFunctionArn: arnOf(sandbox),
        NotifierFunctionArn: arnOf(notifier),
        TableName: { Ref: logicalId(stack.storage.table) },
      });
      expect(JSON.stringify(deployed)).not.toContain('${');
    });

    it('starts at the controller, then fans out to sandboxes, then the notifier', () => {
      // Assess
      expect(deployed.StartAt).toBe('Controller');
      const states = deployed.States;
      expect(states.Controller?.Parameters?.FunctionName).toEqual(arnOf(controller));
      expect(states.Controller?.Next).toBe('RunCandidates');
      expect(states.RunCandidates?.Type).toBe('Map');
      expect(states.RunCandidates?.Next).toBe('Notifier');
      expect(states.Notifier?.Parameters?.FunctionName).toEqual(arnOf(notifier));
      expect(states.MarkFailed?.Parameters?.FunctionName).toEqual(arnOf(notifier));
    });

    it('catches a failing sandbox inside the Map so one candidate never fails the run', () => {
      // Assess
      const processor = deployed.States.RunCandidates?.ItemProcessor;
      expect(processor?.StartAt).toBe('Sandbox');
      const sandboxState = processor?.States.Sandbox;
      expect(sandboxState?.Type).toBe('Task');
      expect(sandboxState?.Parameters?.FunctionName).toEqual(arnOf(sandbox));
      expect(sandboxState?.Catch).toContainEqual(
        expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'ReportCandidate' }),
      );
      expect(processor?.States.ReportCandidate?.Parameters?.FunctionName).toEqual(arnOf(notifier));
    });

    it('protects every Task with a Catch, and ends a failure in a direct table write', () => {
      // Prepare
      const tasks: Array<[string, State]> = [];
      const collect = (states: Record<string, State>) => {
        for (const [name, state] of Object.entries(states)) {
          if (state.Type === 'Task' || state.Type === 'Map') tasks.push([name, state]);
          if (state.ItemProcessor) collect(state.ItemProcessor.States);
        }
      };
      collect(deployed.States);

      // Assess: nothing that can fail lacks a Catch, so no execution ends with its session running.
      expect(tasks.length).toBeGreaterThanOrEqual(6);
      for (const [name, state] of tasks) {
        expect(
          state.Catch?.map((rule) => rule.ErrorEquals),
          name,
        ).toContainEqual(['States.ALL']);
      }
      expect(deployed.States.MarkFailed?.Catch?.[0]?.Next).toBe('RecordFailure');
      const record = deployed.States.RecordFailure as State & { Resource?: string };
      expect(record.Resource).toBe('arn:aws:states:::dynamodb:updateItem');
      expect(record.Catch?.[0]?.Next).toBe('Failed');
    });

    it('may update only session items, and only through UpdateItem', () => {
      // Prepare
      const statements = statementsOfRole(template, logicalId(stack.workflow.stateMachine.role));

      // Act
      const tableStatements = statements.filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('dynamodb:')),
      );

      // Assess
      expect(tableStatements).toHaveLength(1);
      expect(tableStatements[0]?.Action).toBe('dynamodb:UpdateItem');
      expect(tableStatements[0]?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESSION#*'] },
      });
    });

    it('loops back to the controller while rounds are left', () => {
      // Assess
      const choice = deployed.States.AnotherRound;
      expect(choice?.Type).toBe('Choice');
      expect(choice?.Choices?.map((rule) => rule.Next)).toContain('Controller');
      expect(deployed.States.Notifier?.Next).toBe('AnotherRound');
    });
  });

  describe('state machine', () => {
    it('is STANDARD, traced, and logs without execution data', () => {
      // Assess
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: arnOf(logicalId(stack.workflow.logGroup)) } },
          ],
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'),
        RetentionInDays: 14,
      });
    });

    it('may invoke exactly the controller, sandbox and notifier (and their versions)', () => {
      // Prepare
      const machineRole = logicalId(stack.workflow.stateMachine.role);
      const statements = statementsOfRole(template, machineRole);

      // Act
      const lambdaStatements = statements.filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('lambda:')),
      );

      // Assess
      for (const statement of lambdaStatements) expect(statement.Action).toBe('lambda:InvokeFunction');
      const resources = lambdaStatements.flatMap((statement) => asArray(statement.Resource));
      const expected = [controller, sandbox, notifier].flatMap((id) => [
        arnOf(id),
        { 'Fn::Join': ['', [arnOf(id), ':*']] },
      ]);
      expect(resources).toHaveLength(expected.length);
      expect(resources).toEqual(expect.arrayContaining(expected));
    });

    it('can be started only by the HTTP API and the WebSocket $default handlers', () => {
      // Act
      const starters = rolesAllowed(
        template,
        'states:StartExecution',
        (resource) => resource === JSON.stringify({ Ref: machineId }),
      );

      // Assess
      expect(starters).toEqual(
        [roleId(stack.httpApi.handler), roleId(stack.webSocketApi.defaultHandler)].sort(),
      );
      for (const fn of [stack.httpApi.handler, stack.webSocketApi.defaultHandler]) {
        expect(environmentOf(template, functionId(fn)).STATE_MACHINE_ARN).toEqual({ Ref: machineId });
      }
    });
  });

  describe('placeholder check', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'fix-workflow-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    const build = (definition: string) => {
      const path = join(scratch, `${Math.random().toString(36).slice(2)}.asl.json`);
      writeFileSync(path, definition);
      const scope = new Stack(new App(), 'PlaceholderCheck');
      const step = (id: string) =>
        new LambdaFunction(scope, id, {
          runtime: Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: Code.fromInline('exports.handler = async () => ({});'),
        });
      return () =>
        new FixWorkflow(scope, 'Workflow', {
          definitionPath: path,
          steps: { controller: step('Controller'), sandbox: step('Sandbox'), notifier: step('Notifier') },
          table: new Table(scope, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } }),
        });
    };

    it('refuses a definition naming a function it cannot substitute', () => {
      // Prepare
      const definition = readFileSync(FIX_DEFINITION_PATH, 'utf8').replace(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template
        '${NotifierFunctionArn}',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template
        '${PublisherFunctionArn}',
      );

      // Act + Assess
      expect(build(definition)).toThrow(/PublisherFunctionArn/);
    });

    it('refuses a definition that is not JSON', () => {
      // Act + Assess
      expect(build('{ "StartAt": ')).toThrow(SyntaxError);
    });

    it('accepts the real definition', () => {
      // Act + Assess
      expect(build(readFileSync(FIX_DEFINITION_PATH, 'utf8'))).not.toThrow();
    });
  });
});
