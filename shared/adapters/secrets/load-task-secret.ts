import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadSecretString } from './load-secret-string.js';

/** Reads the deployment's task secret: the secret's string, or its `TASK_SECRET` field. */
export function loadTaskSecret(secretArn: string, client: SecretsManagerClient): Promise<string> {
  return loadSecretString(secretArn, client, { name: 'the task secret', field: 'TASK_SECRET' });
}
