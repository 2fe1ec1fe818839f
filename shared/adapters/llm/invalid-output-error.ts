import type { TokenUsage } from './token-usage.js';

export type InvalidOutputKind = 'empty' | 'truncated' | 'malformed-json' | 'schema' | 'no-new-candidates';

/**
 * The provider answered 200 but not with something we can use. Not retried on the same provider:
 * the chain moves on. Carries the call's token usage, which was spent all the same.
 */
export class InvalidOutputError extends Error {
  constructor(
    readonly kind: InvalidOutputKind,
    message: string,
    readonly usage?: TokenUsage,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InvalidOutputError';
  }

  withUsage(usage: TokenUsage | undefined): InvalidOutputError {
    return new InvalidOutputError(this.kind, this.message, usage, { cause: this.cause });
  }
}
