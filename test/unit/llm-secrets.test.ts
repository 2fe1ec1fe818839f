import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLlmSecrets, SecretsLoadError } from '../../shared/adapters/secrets/index.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:truth-engine-llm-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

describe('Function: loadLlmSecrets', () => {
  afterEach(() => {
    secretsManager.reset();
  });

  it('reads the JSON secret into an env-shaped record readLlmConfig accepts', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        GEMINI_API_KEY: 'gem-secret',
        GROQ_API_KEY: ' groq-secret \n',
        DEEPSEEK_API_KEY: '',
        GEMINI_MODEL: 'gemini-2.5-pro',
        UNRELATED: 'ignored',
      }),
    });

    // Act
    const record = await loadLlmSecrets(ARN, new SecretsManagerClient({ region: 'eu-west-1' }));

    // Assess
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
    expect(record).toEqual({
      GEMINI_API_KEY: 'gem-secret',
      GROQ_API_KEY: 'groq-secret',
      GEMINI_MODEL: 'gemini-2.5-pro',
    });
    const config = readLlmConfig({ DEEPSEEK_API_KEY: 'from-env', ...record });
    expect(config.gemini.apiKey).toBe('gem-secret');
    expect(config.deepseek.apiKey).toBe('from-env');
  });

  it('says the secret is not JSON without quoting it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'GEMINI_API_KEY=gem-secret' });
    const error = await loadLlmSecrets(ARN, new SecretsManagerClient({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsLoadError);
    expect((error as Error).message).toBe('the LLM secret is not valid JSON');
    expect(JSON.stringify(error)).not.toContain('gem-secret');
    expect((error as Error).cause).toBeUndefined();
  });

  it('refuses a binary secret, a non-object, and a non-string key', async () => {
    const client = new SecretsManagerClient({});
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretBinary: new Uint8Array([1]) })
      .resolvesOnce({ SecretString: '["a"]' })
      .resolvesOnce({ SecretString: '{"GROQ_API_KEY": 42}' });
    await expect(loadLlmSecrets(ARN, client)).rejects.toThrow(/binary/);
    await expect(loadLlmSecrets(ARN, client)).rejects.toThrow('the LLM secret is not a JSON object');
    await expect(loadLlmSecrets(ARN, client)).rejects.toThrow(
      "the LLM secret's GROQ_API_KEY is not a string",
    );
  });

  it('wraps a Secrets Manager failure in a typed error that keeps the cause', async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    secretsManager.on(GetSecretValueCommand).rejects(denied);
    const error = (await loadLlmSecrets(ARN, new SecretsManagerClient({})).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SecretsLoadError);
    expect(error.name).toBe('SecretsLoadError');
    expect(error.message).toBe('could not read the LLM secret (AccessDeniedException)');
    expect(error.cause).toBe(denied);
  });
});
