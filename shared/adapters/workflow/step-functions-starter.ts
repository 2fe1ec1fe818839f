import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SessionKind } from '../../domain/types.js';
import type { WorkflowStarter } from '../../ports/workflow-starter.js';

/** Starts a kind's state machine; the execution is named after the session so a retry cannot start it twice. */
export class StepFunctionsStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArns: Partial<Record<SessionKind, string>>,
  ) {}

  async start(sessionId: string, round: number, kind: SessionKind = 'fix'): Promise<void> {
    const stateMachineArn = this.stateMachineArns[kind];
    if (stateMachineArn === undefined) throw new Error(`no state machine is configured for ${kind}`);
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: round === 1 ? sessionId : `${sessionId}-r${round}-${Date.now()}`,
          input: JSON.stringify({ sessionId, round }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}
