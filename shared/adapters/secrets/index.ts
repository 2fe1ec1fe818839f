export { loadLlmSecrets } from './load-llm-secrets.js';
export { SecretsLoadError } from './secrets-load-error.js';
