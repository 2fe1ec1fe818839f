/** One attempt ran past its time limit; used as the abort reason of its signal. */
export class AttemptTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    /** True when the limit was what was left of the session budget rather than the per-call timeout. */
    readonly byBudget: boolean,
  ) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
}
