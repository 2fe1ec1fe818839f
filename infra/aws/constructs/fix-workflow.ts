import { readFileSync } from 'node:fs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The Lambda functions the fix definition names, by their `${...}` substitution key. */
export interface FixWorkflowSteps {
  readonly controller: IFunction;
  readonly sandbox: IFunction;
  readonly notifier: IFunction;
}

export interface FixWorkflowProps {
  /** The ASL file the local stack runs too. */
  readonly definitionPath: string;
  readonly steps: FixWorkflowSteps;
  /** The table the workflow's last guard writes a failure to when the notifier cannot. */
  readonly table: ITable;
  /**
   * @default RetentionDays.TWO_WEEKS
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The `${Name}` placeholders an ASL document uses, sorted and without duplicates. */
export function definitionPlaceholders(definition: string): string[] {
  return [...new Set(Array.from(definition.matchAll(PLACEHOLDER), (match) => match[1] ?? ''))].sort();
}

/**
 * The `fix` state machine, loaded from the same ASL file the local stack runs, with the three
 * function ARNs substituted by CloudFormation. Its role may invoke exactly those functions.
 */
export class FixWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: FixWorkflowProps) {
    super(scope, id);
    const definition = readFileSync(props.definitionPath, 'utf8');
    // A malformed file should fail the synth, not the deployment.
    JSON.parse(definition);

    const substitutions: Record<string, string> = {
      ControllerFunctionArn: props.steps.controller.functionArn,
      SandboxFunctionArn: props.steps.sandbox.functionArn,
      NotifierFunctionArn: props.steps.notifier.functionArn,
      TableName: props.table.tableName,
    };
    // CloudFormation leaves an unknown placeholder in place and the execution fails at that state;
    // refuse to synthesize instead.
    const used = definitionPlaceholders(definition);
    const provided = Object.keys(substitutions).sort();
    if (used.join() !== provided.join()) {
      throw new Error(
        `${props.definitionPath} uses placeholders [${used.join(', ')}] but the workflow substitutes [${provided.join(', ')}]`,
      );
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-fix`,
      retention: props.logRetention ?? RetentionDays.TWO_WEEKS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // Payloads carry user code; execution data stays out of the logs.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    for (const step of Object.values(props.steps)) {
      step.grantInvoke(this.stateMachine);
    }
    // RecordFailure updates a session's META item directly; nothing else in the table.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESSION#*'] } },
      }),
    );
  }

  /** Sets `STATE_MACHINE_ARN` and grants `states:StartExecution` in one call. */
  bindStarter(fn: LambdaFunction): void {
    fn.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(fn);
  }
}
