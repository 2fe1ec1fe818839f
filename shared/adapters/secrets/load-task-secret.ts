import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsLoadError } from './secrets-load-error.js';

/**
 * Reads the deployment's task secret: the secret's string, or its `TASK_SECRET` field when the
 * secret is a JSON object. Called once, at cold start; the value is never logged or echoed.
 */
export async function loadTaskSecret(secretArn: string, client: SecretsManagerClient): Promise<string> {
  let secretString: string | undefined;
  try {
    secretString = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new SecretsLoadError(`could not read the task secret (${name})`, { cause: error });
  }
  const text = secretString?.trim();
  if (!text) throw new SecretsLoadError('the task secret is empty');
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause: JSON.parse's message would quote the secret.
    throw new SecretsLoadError('the task secret looks like JSON but is not valid JSON');
  }
  const value = (parsed as { TASK_SECRET?: unknown }).TASK_SECRET;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SecretsLoadError('the task secret JSON has no TASK_SECRET string');
  }
  return value.trim();
}
