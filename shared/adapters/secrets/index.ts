export { loadLlmSecrets } from './load-llm-secrets.js';
export { loadTaskSecret } from './load-task-secret.js';
export { SecretsLoadError } from './secrets-load-error.js';
