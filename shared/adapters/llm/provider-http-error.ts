/** A provider answered with a non-2xx status. The message is scrubbed before it is stored. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProviderHttpError';
  }
}
