/** The LLM secret could not be read or is not the JSON object we expect. Never carries the secret's text. */
export class SecretsLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretsLoadError';
  }
}
