import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsLoadError } from './secrets-load-error.js';

/**
 * Reads one secret value: the secret's string, or its `field` when the secret is a JSON object.
 * Called once per process; the value is never logged or echoed, not even in an error's cause.
 */
export async function loadSecretString(
  secretArn: string,
  client: SecretsManagerClient,
  what: { name: string; field: string },
): Promise<string> {
  let secretString: string | undefined;
  try {
    secretString = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new SecretsLoadError(`could not read ${what.name} (${name})`, { cause: error });
  }
  const text = secretString?.trim();
  if (!text) throw new SecretsLoadError(`${what.name} is empty`);
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause: JSON.parse's message would quote the secret.
    throw new SecretsLoadError(`${what.name} looks like JSON but is not valid JSON`);
  }
  const value = (parsed as Record<string, unknown>)[what.field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SecretsLoadError(`${what.name} JSON has no ${what.field} string`);
  }
  return value.trim();
}
