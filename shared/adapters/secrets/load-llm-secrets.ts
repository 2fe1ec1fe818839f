import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LLM_ENV_KEYS } from '../../config/llm-config.js';
import { SecretsLoadError } from './secrets-load-error.js';

/**
 * Reads the JSON secret holding the LLM keys (and, optionally, any other LLM setting) into the same
 * env-shaped record `readLlmConfig` takes. Only the names `readLlmConfig` knows are kept; blank values
 * are left out so that an unfilled secret reads as "not configured". Called once, at cold start.
 */
export async function loadLlmSecrets(
  secretArn: string,
  client: SecretsManagerClient,
): Promise<Record<string, string | undefined>> {
  let secretString: string | undefined;
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secretString = output.SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new SecretsLoadError(`could not read the LLM secret (${name})`, { cause: error });
  }
  if (secretString === undefined) {
    throw new SecretsLoadError('the LLM secret has no string value (a binary secret is not supported)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // No cause: JSON.parse's message quotes the text, and the text is the secret.
    throw new SecretsLoadError('the LLM secret is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretsLoadError('the LLM secret is not a JSON object');
  }
  const record: Record<string, string | undefined> = {};
  for (const key of LLM_ENV_KEYS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw new SecretsLoadError(`the LLM secret's ${key} is not a string`);
    }
    if (value.trim() !== '') record[key] = value.trim();
  }
  return record;
}
