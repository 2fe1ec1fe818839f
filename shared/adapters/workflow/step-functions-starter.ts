import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../../ports/workflow-starter.js';

/** Starts the fix state machine; the execution is named after the session so a retry cannot start it twice. */
export class StepFunctionsStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(sessionId: string, round: number): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
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
