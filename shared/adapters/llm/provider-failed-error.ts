/** Why a provider was given up on, in words a client can read. */
export type FailureKind =
  | 'http'
  | 'rate-limited'
  | 'timeout'
  | 'connection'
  | 'invalid-output'
  | 'budget'
  | 'error';

/** A provider was given up on after its attempts; the chain catches it and moves to the next link. */
export class ProviderFailedError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: FailureKind,
    /** Plain language, scrubbed: "HTTP 500 after 3 attempts". */
    readonly summary: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(`${provider} failed: ${summary}`, options);
    this.name = 'ProviderFailedError';
  }
}
