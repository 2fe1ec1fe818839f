import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import pLimit, { type LimitFunction } from 'p-limit';

/** A local Lambda: the same handler module the cloud runs, invoked in-process. */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

export class UnsupportedDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDefinitionError';
  }
}

export class ExecutionAlreadyExistsError extends Error {
  constructor(name: string) {
    super(`an execution named ${name} already exists`);
    this.name = 'ExecutionAlreadyExists';
  }
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const DYNAMODB_UPDATE_ITEM = 'arn:aws:states:::dynamodb:updateItem';

interface StateNode {
  Type?: string;
  Resource?: string;
  Parameters?: { FunctionName?: unknown };
  QueryLanguage?: string;
  Assign?: unknown;
  Arguments?: unknown;
  Output?: unknown;
  ItemProcessor?: { States?: Record<string, StateNode> };
  Iterator?: { States?: Record<string, StateNode> };
  Branches?: Array<{ States?: Record<string, StateNode> }>;
}

/**
 * Loads an ASL file, applies the same DefinitionSubstitutions CDK applies, and checks that the local
 * runner can honour it: JSONPath only (it ignores JSONata, `Assign` and `.waitForTaskToken`), and every
 * Task a `lambda:invoke` of a function that has a local handler (anything else would call real AWS).
 */
export async function loadDefinition(
  path: string,
  substitutions: Record<string, string>,
  functions: Record<string, LocalFunction>,
  /** Direct service integrations by resource ARN (e.g. DynamoDB updateItem), each given the state's Parameters. */
  integrations: Record<string, LocalFunction> = {},
): Promise<{
  definition: StateMachineDefinition;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
}> {
  let text = await readFile(path, 'utf8');
  for (const [name, value] of Object.entries(substitutions)) text = text.replaceAll(`\${${name}}`, value);
  const unresolved = /\$\{([A-Za-z0-9_]+)\}/.exec(text);
  if (unresolved) throw new UnsupportedDefinitionError(`no substitution for \${${unresolved[1]}}`);
  const definition = JSON.parse(text) as StateMachineDefinition &
    StateNode & { States: Record<string, StateNode> };
  if (definition.QueryLanguage === 'JSONata') {
    throw new UnsupportedDefinitionError('JSONata definitions are not supported by the local runner');
  }
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  visit(definition.States, (name, state) => {
    if (state.QueryLanguage === 'JSONata' || state.Arguments !== undefined || state.Output !== undefined) {
      throw new UnsupportedDefinitionError(`state ${name} uses JSONata, which the local runner ignores`);
    }
    if (state.Assign !== undefined) {
      throw new UnsupportedDefinitionError(
        `state ${name} uses Assign (variables), which the local runner ignores`,
      );
    }
    if (state.Type !== 'Task') return;
    if (state.Resource?.includes('.waitForTaskToken')) {
      throw new UnsupportedDefinitionError(
        `state ${name} waits for a task token, which the local runner ignores`,
      );
    }
    if (handlers[name]) throw new UnsupportedDefinitionError(`state name ${name} is used twice`);
    const integration = state.Resource === undefined ? undefined : integrations[state.Resource];
    if (integration) {
      handlers[name] = (input) => integration(input);
      return;
    }
    if (state.Resource !== LAMBDA_INVOKE) {
      throw new UnsupportedDefinitionError(
        `state ${name} calls ${state.Resource}, which has no local handler`,
      );
    }
    const functionName = functionNameOf(state.Parameters?.FunctionName);
    const local = functionName === undefined ? undefined : functions[functionName];
    if (!local) {
      throw new UnsupportedDefinitionError(
        `state ${name} invokes ${String(functionName)}, which has no local handler`,
      );
    }
    // The lambda:invoke integration hands the function `Payload` and wraps its answer the same way.
    handlers[name] = async (input) => {
      const { Payload } = input as { Payload?: unknown };
      return { StatusCode: 200, Payload: await local(Payload) };
    };
  });
  return { definition, handlers };
}

function visit(
  states: Record<string, StateNode> | undefined,
  fn: (name: string, state: StateNode) => void,
): void {
  for (const [name, state] of Object.entries(states ?? {})) {
    fn(name, state);
    visit(state.ItemProcessor?.States, fn);
    visit(state.Iterator?.States, fn);
    for (const branch of state.Branches ?? []) visit(branch.States, fn);
  }
}

/** `arn:aws:lambda:region:account:function:name[:qualifier]` or a bare name → the name. */
function functionNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(value);
  return match ? match[1] : value;
}

interface RunningExecution {
  arn: string;
  abort: () => void;
  done: Promise<void>;
}

/**
 * Runs executions of one state machine in-process, named like Step Functions executions. At most
 * `maxRunning` run at once; later ones wait their turn (their sessions stay `queued`), so a burst
 * of sessions cannot fill every queue on the machine (the store, the event loops, the sandbox slots)
 * and hold up a request that is only being accepted.
 */
export class LocalStateMachine {
  private readonly machine: StateMachine;
  private readonly retryIntervalOverrides: Record<string, number>;
  private readonly running = new Map<string, RunningExecution>();
  private readonly names = new Set<string>();
  private readonly slots: LimitFunction;
  private accepting = true;

  constructor(
    readonly arn: string,
    definition: StateMachineDefinition,
    private readonly handlers: Record<string, (input: unknown) => Promise<unknown>>,
    private readonly onFailure: (error: unknown, input: unknown) => void,
    options: {
      /** Executions run at once; the rest wait their turn. @default unbounded */
      maxRunning?: number;
      /** Milliseconds a state's retrier waits instead of its IntervalSeconds/BackoffRate (tests of failure paths). */
      retryIntervalOverrides?: Record<string, number>;
    } = {},
  ) {
    this.retryIntervalOverrides = options.retryIntervalOverrides ?? {};
    const maxRunning = options.maxRunning ?? Number.POSITIVE_INFINITY;
    this.machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
    this.slots = pLimit(maxRunning);
  }

  start(
    input: unknown,
    name: string = randomUUID(),
  ): { executionArn: string; startDate: Date; output: Promise<unknown> } {
    if (!this.accepting) throw new Error('the local state machine is shutting down');
    if (this.names.has(name)) throw new ExecutionAlreadyExistsError(name);
    this.names.add(name);
    const arn = `${this.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    let aborted = false;
    const entry: RunningExecution = { arn, abort: () => (aborted = true), done: Promise.resolve() };
    const output = this.slots(async () => {
      // Stopped while waiting for a slot: it never started, and resumes at the next start.
      if (aborted) return undefined;
      const execution = this.machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: this.handlers as never,
          retryIntervalOverrides: this.retryIntervalOverrides,
        },
        noThrowOnAbort: true,
      });
      entry.abort = () => execution.abort();
      return (await execution.result) as unknown;
    });
    entry.done = output.then(
      () => undefined,
      (error: unknown) => this.onFailure(error, input),
    );
    this.running.set(arn, entry);
    void entry.done.finally(() => this.running.delete(arn));
    return { executionArn: arn, startDate: new Date(), output };
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Waits for every running execution to finish. */
  async drain(): Promise<void> {
    await Promise.all([...this.running.values()].map((execution) => execution.done));
  }

  /** Stops accepting work and aborts what is running; unfinished sessions are resumed at the next start. */
  async stop(): Promise<void> {
    this.accepting = false;
    const executions = [...this.running.values()];
    for (const execution of executions) execution.abort();
    await Promise.all(executions.map((execution) => execution.done));
  }
}
