import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { definitionPlaceholders, Workflow } from '../../infra/aws/constructs/workflow.js';
import {
  FIX_DEFINITION_PATH,
  TASK_DEFINITION_PATH,
  TRANSFORM_DEFINITION_PATH,
} from '../../infra/aws/paths.js';
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
  Resource?: string;
  TimeoutSeconds?: number;
  Parameters?: { FunctionName?: unknown; Payload?: { action?: string } & Record<string, unknown> };
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Choices?: Array<{ Next: string } & Record<string, unknown>>;
  Default?: string;
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

/** Every state, the Map's own included, by name. */
function allStates(states: Record<string, State>): Array<[string, State]> {
  return Object.entries(states).flatMap(
    ([name, state]): Array<[string, State]> => [
      [name, state],
      ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
    ],
  );
}

describe('Construct: Workflow', () => {
  const { stack, template, cleanup } = synthesizeTruthEngine();
  afterAll(cleanup);

  const resources = template.toJSON().Resources;
  const sandbox = functionId(stack.sandbox.function);
  const notifier = functionId(stack.notifier);

  /** What differs between the kinds; everything else each state machine must hold alike. */
  const kinds = [
    {
      kind: 'fix',
      workflow: stack.fixWorkflow,
      path: FIX_DEFINITION_PATH,
      controller: stack.controller,
      controllerPlaceholder: 'ControllerFunctionArn',
      map: 'RunCandidates',
      // The repair search's batches, when a round runs it, come between the controller and the Map.
      afterController: 'SearchOrRun',
      choice: 'AnotherRound',
      judge: 'judge',
      startAt: 'Controller',
      extra: {} as Record<string, IFunction>,
      starters: [stack.httpApi.handler, stack.webSocketApi.defaultHandler],
      variable: 'STATE_MACHINE_ARN',
    },
    {
      kind: 'task',
      workflow: stack.taskWorkflow,
      path: TASK_DEFINITION_PATH,
      controller: stack.taskController,
      controllerPlaceholder: 'TaskControllerFunctionArn',
      map: 'CheckSites',
      afterController: 'CheckSites',
      choice: 'AnotherAttempt',
      judge: 'judge-task',
      // A revise first waits for its previous round; a judged site is then delivered.
      startAt: 'WaitTurn',
      extra: { TaskDeliveryFunctionArn: stack.taskDelivery } as Record<string, IFunction>,
      starters: [stack.httpApi.handler],
      variable: 'TASK_STATE_MACHINE_ARN',
    },
    {
      kind: 'transform',
      workflow: stack.transformWorkflow,
      path: TRANSFORM_DEFINITION_PATH,
      controller: stack.transformController,
      controllerPlaceholder: 'TransformControllerFunctionArn',
      map: 'RunCandidates',
      afterController: 'RunCandidates',
      // One round: the judge's verdict ends the job.
      choice: undefined,
      judge: 'judge-transform',
      startAt: 'Controller',
      extra: {} as Record<string, IFunction>,
      starters: [stack.httpApi.handler],
      variable: 'TRANSFORM_STATE_MACHINE_ARN',
    },
  ];

  describe('the fix state machine', () => {
    const machine = resources[logicalId(stack.fixWorkflow.stateMachine)];
    const deployed = substitute(
      JSON.parse(machine.Properties.DefinitionString),
      machine.Properties.DefinitionSubstitutions,
    ) as Definition;

    it('runs the repair search in the sandbox, batch by batch, before the Map when the controller asks', () => {
      // Assess
      const states = deployed.States;
      const choice = states.SearchOrRun;
      expect(choice?.Type).toBe('Choice');
      expect(choice?.Choices).toEqual([{ Variable: '$.search', IsPresent: true, Next: 'SearchBatch' }]);
      expect(choice?.Default).toBe('RunCandidates');
      const batch = states.SearchBatch;
      expect(batch?.Parameters?.FunctionName).toEqual(arnOf(sandbox));
      expect(batch?.Parameters?.Payload).toEqual({ 'search.$': '$.search' });
      expect(batch?.Next).toBe('Searched');
      // A failed batch still goes to the controller, which keeps what earlier batches found.
      expect(batch?.Catch).toContainEqual(
        expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Searched' }),
      );
      const searched = states.Searched;
      expect(searched?.Parameters?.FunctionName).toEqual(arnOf(functionId(stack.controller)));
      expect(searched?.Parameters?.Payload?.action).toBe('searched');
      expect(searched?.Next).toBe('SearchOrRun');
    });
  });

  describe.each(kinds)('the $kind state machine', (kind) => {
    const machineId = logicalId(kind.workflow.stateMachine);
    const machine = resources[machineId];
    const definitionString: string = machine.Properties.DefinitionString;
    const substitutions: Record<string, unknown> = machine.Properties.DefinitionSubstitutions;
    const deployed = substitute(JSON.parse(definitionString), substitutions) as Definition;
    const controller = functionId(kind.controller);
    const machineRole = logicalId(kind.workflow.stateMachine.role);

    describe('definition', () => {
      it('is the ASL file the local stack runs, unchanged', () => {
        // Assess
        expect(JSON.parse(definitionString)).toEqual(JSON.parse(readFileSync(kind.path, 'utf8')));
      });

      it('substitutes every placeholder with its controller, the sandbox, the notifier, its own functions or the table', () => {
        // Assess
        expect(definitionPlaceholders(definitionString)).toEqual(Object.keys(substitutions).sort());
        expect(substitutions).toEqual({
          [kind.controllerPlaceholder]: arnOf(controller),
          SandboxFunctionArn: arnOf(sandbox),
          NotifierFunctionArn: arnOf(notifier),
          ...Object.fromEntries(
            Object.entries(kind.extra).map(([placeholder, fn]) => [placeholder, arnOf(functionId(fn))]),
          ),
          TableName: { Ref: logicalId(stack.storage.table) },
        });
        expect(JSON.stringify(deployed)).not.toContain('${');
      });

      it('reaches its controller, then fans out to sandboxes, then the notifier judges', () => {
        // Assess
        expect(deployed.StartAt).toBe(kind.startAt);
        const states = deployed.States;
        expect(states.Controller?.Parameters?.FunctionName).toEqual(arnOf(controller));
        expect(states.Controller?.Next).toBe(kind.afterController);
        expect(states[kind.map]?.Type).toBe('Map');
        expect(states[kind.map]?.Next).toBe('Notifier');
        expect(states.Notifier?.Parameters?.FunctionName).toEqual(arnOf(notifier));
        expect(states.Notifier?.Parameters?.Payload?.action).toBe(kind.judge);
        expect(states.MarkFailed?.Parameters?.FunctionName).toEqual(arnOf(notifier));
      });

      it('catches a failing sandbox inside the Map so one candidate never fails the run', () => {
        // Assess
        const processor = deployed.States[kind.map]?.ItemProcessor;
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
        const tasks = allStates(deployed.States).filter(
          ([, state]) => state.Type === 'Task' || state.Type === 'Map',
        );

        // Assess: nothing that can fail lacks a Catch, so no execution ends with its session running.
        expect(tasks.length).toBeGreaterThanOrEqual(6);
        for (const [name, state] of tasks) {
          expect(
            state.Catch?.map((rule) => rule.ErrorEquals),
            name,
          ).toContainEqual(['States.ALL']);
        }
        expect(deployed.States.MarkFailed?.Catch?.[0]?.Next).toBe('RecordFailure');
        const record = deployed.States.RecordFailure;
        expect(record?.Resource).toBe('arn:aws:states:::dynamodb:updateItem');
        expect(record?.Catch?.[0]?.Next).toBe('Failed');
      });

      it(
        kind.choice
          ? 'loops back to the controller while the judge asks for another round'
          : 'ends when the judge has judged its one round',
        () => {
          // Assess
          if (kind.choice === undefined) {
            expect(deployed.States.Notifier?.Next).toBe('Done');
            expect(Object.values(deployed.States).filter((state) => state.Type === 'Choice')).toEqual([]);
            return;
          }
          const choice = deployed.States[kind.choice];
          expect(choice?.Type).toBe('Choice');
          expect(choice?.Choices?.map((rule) => rule.Next)).toContain('Controller');
          expect(deployed.States.Notifier?.Next).toBe(kind.choice);
        },
      );

      it('gives every function it invokes a timeout under the state that waits for it', () => {
        // Prepare: a function outliving its state would run on after the state gave up on it.
        const timeoutOf = (id: string) => resources[id].Properties.Timeout as number;
        const invoking = allStates(deployed.States).filter(
          ([, state]) => state.Resource === 'arn:aws:states:::lambda:invoke',
        );

        // Assess
        expect(invoking.length).toBeGreaterThanOrEqual(5);
        for (const [name, state] of invoking) {
          const target = (state.Parameters?.FunctionName as { 'Fn::GetAtt'?: string[] } | undefined)?.[
            'Fn::GetAtt'
          ]?.[0];
          expect(target, name).toBeDefined();
          expect(state.TimeoutSeconds, name).toBeDefined();
          expect(timeoutOf(target ?? ''), name).toBeLessThanOrEqual(state.TimeoutSeconds ?? 0);
        }
      });
    });

    describe('state machine', () => {
      it('is STANDARD, traced, and logs without execution data to its own log group', () => {
        // Assess
        const logGroup = logicalId(kind.workflow.logGroup);
        expect(machine.Properties).toMatchObject({
          StateMachineType: 'STANDARD',
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: {
            Level: 'ALL',
            IncludeExecutionData: false,
            Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(logGroup) } }],
          },
        });
        expect(resources[logGroup].Properties).toMatchObject({
          LogGroupName: `/aws/vendedlogs/states/${stack.stackName}-${kind.kind}`,
          RetentionInDays: 14,
        });
      });

      it('may invoke exactly its controller, the sandbox, the notifier and its own functions (and their versions)', () => {
        // Prepare
        const statements = statementsOfRole(template, machineRole);

        // Act
        const lambdaStatements = statements.filter((statement) =>
          asArray(statement.Action).some((action) => action.startsWith('lambda:')),
        );

        // Assess
        for (const statement of lambdaStatements) expect(statement.Action).toBe('lambda:InvokeFunction');
        const invocable = lambdaStatements.flatMap((statement) => asArray(statement.Resource));
        const expected = [
          controller,
          sandbox,
          notifier,
          ...Object.values(kind.extra).map(functionId),
        ].flatMap((id) => [arnOf(id), { 'Fn::Join': ['', [arnOf(id), ':*']] }]);
        expect(invocable).toHaveLength(expected.length);
        expect(invocable).toEqual(expect.arrayContaining(expected));
      });

      it('may update only session items, and only through UpdateItem', () => {
        // Act
        const tableStatements = statementsOfRole(template, machineRole).filter((statement) =>
          asArray(statement.Action).some((action) => action.startsWith('dynamodb:')),
        );

        // Assess
        expect(tableStatements).toHaveLength(1);
        expect(tableStatements[0]?.Action).toBe('dynamodb:UpdateItem');
        expect(tableStatements[0]?.Resource).toEqual(arnOf(logicalId(stack.storage.table)));
        expect(tableStatements[0]?.Condition).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESSION#*'] },
        });
      });

      it('grants its role nothing but invoking, the failure write, logs delivery and traces', () => {
        // Assess
        const services = statementsOfRole(template, machineRole).flatMap((statement) =>
          asArray(statement.Action).map((action) => action.split(':')[0]),
        );
        expect([...new Set(services)].sort()).toEqual(['dynamodb', 'lambda', 'logs', 'xray']);
      });

      it(`can be started only by the functions that submit its kind, which find it by name`, () => {
        // Act
        const starters = rolesAllowed(
          template,
          'states:StartExecution',
          (resource) => resource === JSON.stringify({ Ref: machineId }),
        );

        // Assess
        expect(starters).toEqual(kind.starters.map((fn) => roleId(fn)).sort());
        for (const fn of kind.starters) {
          expect(environmentOf(template, functionId(fn))[kind.variable]).toEqual({ Ref: machineId });
        }
        const others: IFunction[] = [
          stack.webSocketApi.defaultHandler,
          stack.controller,
          stack.taskController,
          stack.notifier,
          stack.sandbox.function,
        ].filter((fn) => !kind.starters.includes(fn as never));
        for (const fn of others) {
          expect(environmentOf(template, functionId(fn)), fn.node.path).not.toHaveProperty(kind.variable);
        }
      });
    });
  });

  describe('the task state machine', () => {
    const deployed = JSON.parse(
      resources[logicalId(stack.taskWorkflow.stateMachine)].Properties.DefinitionString,
    ) as Definition;

    it("holds the task definition's states, not the fix definition's", () => {
      // Assess
      expect(Object.keys(deployed.States).sort()).toEqual(
        [
          'WaitTurn',
          'TurnReady',
          'WaitForTurn',
          'AnotherAttempt',
          'CheckSites',
          'Controller',
          'Deliver',
          'Publish',
          'PagesStatus',
          'PagesReady',
          'WaitForPages',
          'FetchLive',
          'LiveSandbox',
          'RecordLive',
          'NotifyEvaluator',
          'Finish',
          'Done',
          'Failed',
          'MarkFailed',
          'Notifier',
          'RecordFailure',
        ].sort(),
      );
      expect(Object.keys(deployed.States.CheckSites?.ItemProcessor?.States ?? {}).sort()).toEqual([
        'ReportCandidate',
        'ReportSkipped',
        'Sandbox',
      ]);
    });

    describe('delivery', () => {
      const states = substitute(
        deployed,
        resources[logicalId(stack.taskWorkflow.stateMachine)].Properties.DefinitionSubstitutions,
      ) as Definition;
      const delivery = arnOf(functionId(stack.taskDelivery));
      const at = (name: string) =>
        states.States[name] as State & {
          Seconds?: number;
          Default?: string;
          Retry?: Array<{
            ErrorEquals: string[];
            IntervalSeconds?: number;
            BackoffRate?: number;
            MaxAttempts?: number;
          }>;
        };

      it('publishes a judged site, then loops on the Pages status through a Wait, never a sleeping function', () => {
        // Assess
        expect(at('AnotherAttempt').Choices?.map((rule) => rule.Next)).toEqual(['Controller', 'Deliver']);
        expect(at('AnotherAttempt').Default).toBe('Done');
        expect(at('Deliver').Next).toBe('Publish');
        expect(at('Publish').Next).toBe('PagesStatus');
        expect(at('PagesStatus').Next).toBe('PagesReady');
        expect(at('PagesReady').Choices?.map((rule) => rule.Next)).toEqual(['FetchLive']);
        expect(at('PagesReady').Default).toBe('WaitForPages');
        expect(at('WaitForPages')).toMatchObject({ Type: 'Wait', Next: 'PagesStatus' });
        expect(at('WaitForPages').Seconds).toBeGreaterThan(0);
        expect(at('WaitForTurn')).toMatchObject({ Type: 'Wait', Next: 'WaitTurn' });
      });

      it('runs the checks again on the live site in the sandbox, then notifies, then finishes', () => {
        // Assess
        expect(at('FetchLive').Next).toBe('LiveSandbox');
        expect(at('LiveSandbox').Parameters?.FunctionName).toEqual(arnOf(sandbox));
        expect(at('LiveSandbox').Next).toBe('RecordLive');
        expect(at('RecordLive').Next).toBe('NotifyEvaluator');
        expect(at('NotifyEvaluator').Next).toBe('Finish');
        expect(at('Finish').Next).toBe('Done');
      });

      it("sends each delivery step to the delivery function, under that step's action", () => {
        // Assess
        const actions = Object.fromEntries(
          ['WaitTurn', 'Publish', 'PagesStatus', 'FetchLive', 'RecordLive', 'NotifyEvaluator', 'Finish'].map(
            (name) => {
              expect(at(name).Parameters?.FunctionName, name).toEqual(delivery);
              return [name, at(name).Parameters?.Payload?.action];
            },
          ),
        );
        expect(actions).toEqual({
          WaitTurn: 'await-previous',
          Publish: 'publish',
          PagesStatus: 'pages-status',
          FetchLive: 'fetch-live',
          RecordLive: 'record-live',
          NotifyEvaluator: 'notify',
          Finish: 'finish',
        });
      });

      it('retries a refused notification after 1, 2, 4 … s, and ends every failure of publishing in Finish', () => {
        // Assess
        expect(at('NotifyEvaluator').Retry?.[0]).toEqual({
          ErrorEquals: ['EvaluatorNotAccepted'],
          IntervalSeconds: 1,
          BackoffRate: 2,
          MaxAttempts: 10,
        });
        for (const name of ['Publish', 'NotifyEvaluator']) {
          expect(
            at(name).Catch?.map((rule) => rule.Next),
            name,
          ).toEqual(['Finish']);
        }
        // A live check that fails is recorded and the evaluator is still told.
        expect(at('FetchLive').Catch?.map((rule) => rule.Next)).toEqual(['RecordLive']);
        expect(at('LiveSandbox').Catch?.map((rule) => rule.Next)).toEqual(['RecordLive']);
        expect(at('RecordLive').Catch?.map((rule) => rule.Next)).toEqual(['NotifyEvaluator']);
        expect(at('Finish').Catch?.map((rule) => rule.Next)).toEqual(['MarkFailed']);
      });
    });

    it('is a machine of its own beside the fix one', () => {
      // Assess
      // Fix, task and transform: one machine a kind.
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
      expect(logicalId(stack.taskWorkflow.stateMachine)).not.toBe(logicalId(stack.fixWorkflow.stateMachine));
      expect(logicalId(stack.taskWorkflow.stateMachine.role)).not.toBe(
        logicalId(stack.fixWorkflow.stateMachine.role),
      );
    });
  });

  describe('placeholder check', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'workflow-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    const build = (definition: string, controllerPlaceholder = 'ControllerFunctionArn') => {
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
        new Workflow(scope, 'Workflow', {
          kind: 'test',
          definitionPath: path,
          functions: {
            [controllerPlaceholder]: step('Controller'),
            SandboxFunctionArn: step('Sandbox'),
            NotifierFunctionArn: step('Notifier'),
            ...(controllerPlaceholder === 'TaskControllerFunctionArn'
              ? { TaskDeliveryFunctionArn: step('TaskDelivery') }
              : {}),
          },
          table: new Table(scope, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } }),
          starterVariable: 'STATE_MACHINE_ARN',
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

    it('refuses a function the definition does not name', () => {
      // Act + Assess: the task definition names no ControllerFunctionArn.
      expect(build(readFileSync(TASK_DEFINITION_PATH, 'utf8'))).toThrow(/ControllerFunctionArn/);
    });

    it('refuses a definition that is not JSON', () => {
      // Act + Assess
      expect(build('{ "StartAt": ')).toThrow(SyntaxError);
    });

    it('accepts the real definitions', () => {
      // Act + Assess
      expect(build(readFileSync(FIX_DEFINITION_PATH, 'utf8'))).not.toThrow();
      expect(build(readFileSync(TASK_DEFINITION_PATH, 'utf8'), 'TaskControllerFunctionArn')).not.toThrow();
    });
  });
});
