import { logger } from './logger.js';

/** Puts the session id on every log line of this invocation (the middleware resets keys after each). */
export function logForSession(sessionId: string | undefined): void {
  if (sessionId) logger.appendKeys({ sessionId });
}

/** The use cases' narrow logging need, served by the process logger. */
export const eventLog = {
  warn: (message: string, extra?: Record<string, unknown>) => logger.warn(message, { ...extra }),
};
