/** Port: starts the fix workflow for a stored session. */
export interface WorkflowStarter {
  start(sessionId: string, round: number): Promise<void>;
}
