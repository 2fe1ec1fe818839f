export { loadLlmSecrets } from './load-llm-secrets.js';
export { loadSecretString } from './load-secret-string.js';
export { loadTaskSecret } from './load-task-secret.js';
export { SecretsLoadError } from './secrets-load-error.js';
