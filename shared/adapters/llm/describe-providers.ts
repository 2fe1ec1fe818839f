import type { LlmConfig } from '../../config/llm-config.js';

export interface ProviderAvailability {
  gemini: boolean;
  groq: boolean;
  deepseek: boolean;
  offline: true;
}

/** Which providers are configured, for GET /health. Booleans only: never a key, never a model URL. */
export function describeProviders(config: LlmConfig): ProviderAvailability {
  return {
    gemini: config.gemini.apiKey !== undefined,
    groq: config.groq.apiKey !== undefined,
    deepseek: config.deepseek.apiKey !== undefined,
    offline: true,
  };
}
