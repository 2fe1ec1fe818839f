import { describe, expect, it } from 'vitest';
import { describeProviders } from '../../shared/adapters/llm/index.js';
import { LLM_ENV_KEYS, LlmConfigError, readLlmConfig } from '../../shared/config/llm-config.js';

describe('Function: readLlmConfig', () => {
  it('applies the providers’ real endpoints and sensible defaults when nothing is set', () => {
    // Act
    const config = readLlmConfig({});

    // Assess
    expect(config.gemini).toEqual({
      apiKey: undefined,
      model: 'gemini-2.5-flash',
      baseUrl: 'https://generativelanguage.googleapis.com',
    });
    expect(config.groq).toEqual({
      apiKey: undefined,
      model: 'llama-3.3-70b-versatile',
      baseUrl: 'https://api.groq.com',
    });
    expect(config.deepseek).toEqual({
      apiKey: undefined,
      model: 'deepseek-chat',
      baseUrl: 'https://api.deepseek.com',
    });
    expect(config.retry).toEqual({
      callTimeoutMs: 25_000,
      maxRetries: 2,
      baseDelayMs: 500,
      maxDelayMs: 4_000,
      retryAfterCapMs: 10_000,
    });
    expect(config.categorizeTimeoutMs).toBe(8_000);
    expect(config.sessionBudgetMs).toBe(50_000);
  });

  it('treats empty and blank strings as unset and trims keys', () => {
    // Act
    const config = readLlmConfig({
      GEMINI_API_KEY: '',
      GROQ_API_KEY: '   ',
      DEEPSEEK_API_KEY: ' ds-key\n',
      GEMINI_MODEL: '',
      LLM_MAX_RETRIES: '',
    });

    // Assess
    expect(config.gemini.apiKey).toBeUndefined();
    expect(config.groq.apiKey).toBeUndefined();
    expect(config.deepseek.apiKey).toBe('ds-key');
    expect(config.gemini.model).toBe('gemini-2.5-flash');
    expect(config.retry.maxRetries).toBe(2);
  });

  it('reads overrides from the environment', () => {
    // Act
    const config = readLlmConfig({
      GEMINI_MODEL: 'gemini-2.5-pro',
      GEMINI_BASE_URL: 'http://127.0.0.1:9999',
      LLM_CALL_TIMEOUT_MS: '1234',
      LLM_MAX_RETRIES: '0',
      LLM_SESSION_BUDGET_MS: '20000',
      LLM_RETRY_AFTER_CAP_MS: '0',
    });

    // Assess
    expect(config.gemini.model).toBe('gemini-2.5-pro');
    expect(config.gemini.baseUrl).toBe('http://127.0.0.1:9999');
    expect(config.retry.callTimeoutMs).toBe(1234);
    expect(config.retry.maxRetries).toBe(0);
    expect(config.retry.retryAfterCapMs).toBe(0);
    expect(config.sessionBudgetMs).toBe(20_000);
  });

  it('names every bad variable without echoing its value', () => {
    // Act
    const read = () =>
      readLlmConfig({
        LLM_CALL_TIMEOUT_MS: 'soon',
        LLM_MAX_RETRIES: '-1',
        DEEPSEEK_BASE_URL: 'ftp://secret-host',
      });

    // Assess
    expect(read).toThrow(LlmConfigError);
    expect(read).toThrow(/LLM_CALL_TIMEOUT_MS/);
    expect(read).toThrow(/LLM_MAX_RETRIES/);
    expect(read).toThrow(/DEEPSEEK_BASE_URL/);
    expect(read).not.toThrow(/soon|secret-host/);
  });

  it('refuses a maximum backoff below the base', () => {
    expect(() => readLlmConfig({ LLM_RETRY_BASE_DELAY_MS: '1000', LLM_RETRY_MAX_DELAY_MS: '10' })).toThrow(
      /LLM_RETRY_MAX_DELAY_MS/,
    );
  });

  it('lists the variables a secret store may supply', () => {
    expect(LLM_ENV_KEYS).toEqual(
      expect.arrayContaining(['GEMINI_API_KEY', 'GROQ_API_KEY', 'DEEPSEEK_API_KEY']),
    );
  });
});

describe('Function: describeProviders', () => {
  it('reports which providers have a key, and nothing else', () => {
    // Prepare
    const config = readLlmConfig({ GEMINI_API_KEY: 'g-secret-1', DEEPSEEK_API_KEY: '' });

    // Act
    const health = describeProviders(config);

    // Assess
    expect(health).toEqual({ gemini: true, groq: false, deepseek: false, offline: true });
    expect(JSON.stringify(health)).not.toContain('g-secret-1');
  });
});
