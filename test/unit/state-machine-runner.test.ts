import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startLocalDynamoDb } from '../../infra/local/dynamodb-server.js';
import { FIX_DEFINITION } from '../../infra/local/local-stack.js';
import {
  DYNAMODB_UPDATE_ITEM,
  LocalStateMachine,
  loadDefinition,
  UnsupportedDefinitionError,
} from '../../infra/local/state-machine-runner.js';

const substitutions = {
  ControllerFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:controller',
  SandboxFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sandbox',
  NotifierFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:notifier',
  TableName: 'truth-engine',
};
const noUpdate = { [DYNAMODB_UPDATE_ITEM]: async () => ({}) };

async function definitionFile(definition: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asl-'));
  const path = join(dir, 'machine.asl.json');
  await writeFile(path, JSON.stringify(definition));
  return path;
}

const invokeTask = (fn: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: fn, 'Payload.$': '$' },
  OutputPath: '$.Payload',
  End: true,
  ...extra,
});

describe('Function: loadDefinition', () => {
  it('maps every Task of the fix machine to a local function', async () => {
    const fn = async (payload: unknown) => payload;
    const { handlers } = await loadDefinition(
      FIX_DEFINITION,
      substitutions,
      { controller: fn, sandbox: fn, notifier: fn },
      noUpdate,
    );
    expect(Object.keys(handlers).sort()).toEqual([
      'Controller',
      'MarkFailed',
      'Notifier',
      'RecordFailure',
      'ReportCandidate',
      'Sandbox',
      'SearchBatch',
      'Searched',
    ]);
  });

  it('refuses the direct DynamoDB write when no local integration serves it', async () => {
    const fn = async (payload: unknown) => payload;
    await expect(
      loadDefinition(FIX_DEFINITION, substitutions, { controller: fn, sandbox: fn, notifier: fn }),
    ).rejects.toThrow(/RecordFailure calls arn:aws:states:::dynamodb:updateItem, which has no local handler/);
  });

  it('refuses a Task whose function has no local handler', async () => {
    await expect(
      loadDefinition(FIX_DEFINITION, substitutions, { controller: async () => ({}) }, noUpdate),
    ).rejects.toThrow(/invokes sandbox, which has no local handler/);
  });

  it('refuses a missing substitution', async () => {
    await expect(
      loadDefinition(FIX_DEFINITION, { ControllerFunctionArn: 'x' }, { x: async () => ({}) }),
    ).rejects.toThrow(/no substitution for \$\{SandboxFunctionArn\}/);
  });

  it.each([
    [
      'JSONata at the top',
      { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
      /JSONata/,
    ],
    [
      'JSONata in a state',
      {
        StartAt: 'A',
        States: { A: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% 1 %}', End: true } },
      },
      /JSONata/,
    ],
    ['Assign', { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { x: 1 }, End: true } } }, /Assign/],
    [
      'a task token',
      {
        StartAt: 'A',
        States: { A: invokeTask('f', { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' }) },
      },
      /task token/,
    ],
    [
      'another service',
      {
        StartAt: 'A',
        States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
      },
      /no local handler/,
    ],
    [
      'a nested Task without a handler',
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'B', States: { B: invokeTask('unknown') } },
            End: true,
          },
        },
      },
      /B invokes unknown/,
    ],
  ])('refuses %s', async (_name, definition, message) => {
    const path = await definitionFile(definition);
    const error = await loadDefinition(path, {}, { f: async () => ({}) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsupportedDefinitionError);
    expect(String(error)).toMatch(message);
  });
});

describe('Class: LocalStateMachine', () => {
  it('runs lambda:invoke Tasks with the Payload and wraps the answer as Lambda does', async () => {
    const path = await definitionFile({ StartAt: 'Double', States: { Double: invokeTask('double') } });
    const { definition, handlers } = await loadDefinition(
      path,
      {},
      {
        double: async (payload) => ({ value: (payload as { value: number }).value * 2 }),
      },
    );
    const failures: unknown[] = [];
    const machine = new LocalStateMachine(
      'arn:aws:states:us-east-1:000000000000:stateMachine:t',
      definition,
      handlers,
      (error) => failures.push(error),
    );
    const started = machine.start({ value: 21 }, 'run-1');
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:t:run-1');
    expect(() => machine.start({ value: 1 }, 'run-1')).toThrow(/already exists/);
    await expect(started.output).resolves.toEqual({ value: 42 });
    await machine.drain();
    expect(failures).toEqual([]);
    expect(machine.activeCount).toBe(0);
  });
});

describe('Definition: fix.asl.json, when everything fails', () => {
  it('still records the session failed, straight in the table, when the notifier cannot', async () => {
    // Prepare: a real dynalite with a running session; the controller and the notifier both fail.
    const dir = await mkdtemp(join(tmpdir(), 'asl-guard-'));
    const dynamodb = await startLocalDynamoDb({ path: dir, tableName: 'truth-engine', region: 'us-east-1' });
    const client = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const key = { PK: { S: 'SESSION#s-1' }, SK: { S: 'META' } };
    try {
      await client.send(
        new PutItemCommand({ TableName: 'truth-engine', Item: { ...key, status: { S: 'running' } } }),
      );
      const broken = async () => {
        throw new Error('function unavailable');
      };
      const { definition, handlers } = await loadDefinition(
        FIX_DEFINITION,
        substitutions,
        { controller: broken, sandbox: broken, notifier: broken },
        { [DYNAMODB_UPDATE_ITEM]: (parameters) => dynamodb.updateItem(parameters) },
      );
      const machine = new LocalStateMachine(
        'arn:aws:states:us-east-1:000000000000:stateMachine:fix',
        definition,
        handlers,
        () => undefined,
        // The notifier's retries back off for seconds in AWS; here they only need to happen.
        { retryIntervalOverrides: { MarkFailed: 0, RecordFailure: 0 } },
      );

      // Act
      const { output } = machine.start({ sessionId: 's-1', round: 1 }, 'guard');
      await output.catch(() => undefined);
      await machine.drain();

      // Assess
      const { Item } = await client.send(new GetItemCommand({ TableName: 'truth-engine', Key: key }));
      expect(Item?.status?.S).toBe('failed');
      expect(Item?.reason?.S).toContain('could not be reported');
    } finally {
      client.destroy();
      await dynamodb.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
