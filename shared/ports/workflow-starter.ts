import type { SessionKind } from '../domain/types.js';

/** Port: starts the workflow of a stored session's kind (each kind has its own state machine). */
export interface WorkflowStarter {
  start(sessionId: string, round: number, kind?: SessionKind): Promise<void>;
}
