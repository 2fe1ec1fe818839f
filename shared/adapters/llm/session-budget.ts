/** Wall-clock allowance for a session's model calls (what earlier rounds left): once spent, no new call starts. */
export class SessionBudget {
  readonly #deadline: number;

  constructor(
    readonly limitMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#deadline = now() + limitMs;
  }

  remainingMs(): number {
    return Math.max(0, this.#deadline - this.now());
  }

  exhausted(): boolean {
    return this.remainingMs() <= 0;
  }
}
