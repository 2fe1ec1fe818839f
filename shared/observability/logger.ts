import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per process; handlers append the session id per invocation. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'truth-engine' });
