import { readFileSync } from 'node:fs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface WorkflowProps {
  /** The problem kind (`fix`, `task`): names the log group. */
  readonly kind: string;
  /** The ASL file the local stack runs too. */
  readonly definitionPath: string;
  /**
   * The Lambda functions the definition names, keyed by their placeholder (`ControllerFunctionArn`
   * for `${ControllerFunctionArn}`). The state machine may invoke exactly these.
   */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The table the workflow's last guard writes a failure to when the notifier cannot (`${TableName}`). */
  readonly table: ITable;
  /** The variable a starter reads this state machine's ARN from. */
  readonly starterVariable: string;
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
 * One problem kind's state machine, loaded from the same ASL file the local stack runs, with its
 * functions' ARNs and the table's name substituted by CloudFormation. Every kind has the same
 * guards (a Catch on every Task, RecordFailure writing straight to the table), so one construct
 * builds them all and the kinds differ only in their file and the functions it names.
 */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  private readonly starterVariable: string;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    this.starterVariable = props.starterVariable;
    const definition = readFileSync(props.definitionPath, 'utf8');
    // A malformed file should fail the synth, not the deployment.
    JSON.parse(definition);

    const substitutions: Record<string, string> = {
      ...Object.fromEntries(Object.entries(props.functions).map(([key, fn]) => [key, fn.functionArn])),
      TableName: props.table.tableName,
    };
    // CloudFormation leaves an unknown placeholder in place and the execution fails at that state;
    // refuse to synthesize instead. A function the file does not name would be invocable for nothing.
    const used = definitionPlaceholders(definition);
    const provided = Object.keys(substitutions).sort();
    if (used.join() !== provided.join()) {
      throw new Error(
        `${props.definitionPath} uses placeholders [${used.join(', ')}] but the workflow substitutes [${provided.join(', ')}]`,
      );
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${props.kind}`,
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

    for (const fn of Object.values(props.functions)) {
      fn.grantInvoke(this.stateMachine);
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

  /** Sets the starter variable to this state machine's ARN and grants `states:StartExecution` in one call. */
  bindStarter(fn: LambdaFunction): void {
    fn.addEnvironment(this.starterVariable, this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(fn);
  }
}
