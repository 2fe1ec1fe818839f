/** Lists capped in count and in each entry's length, so a page cannot flood a result. */
export class CappedList {
  private readonly items: string[] = [];
  private readonly seen = new Set<string>();
  private dropped = 0;

  constructor(
    private readonly maxItems: number,
    private readonly maxChars: number,
    private readonly unique = false,
  ) {}

  push(text: string): void {
    const entry = cap(text, this.maxChars);
    if (this.unique) {
      if (this.seen.has(entry)) return;
      this.seen.add(entry);
    }
    if (this.items.length < this.maxItems) this.items.push(entry);
    else this.dropped++;
  }

  toArray(): string[] {
    return this.dropped > 0 ? [...this.items, `… ${this.dropped} more`] : [...this.items];
  }
}

export function cap(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** What one job saw, filled in by the page's events and the request handler. */
export class JobRecord {
  readonly consoleErrors = new CappedList(50, 1000);
  readonly pageErrors = new CappedList(50, 1000);
  readonly failedRequests = new CappedList(100, 500, true);
  readonly refusedRequests = new CappedList(100, 300, true);
  readonly cdnSubstitutions = new CappedList(50, 500, true);

  refuse(host: string): void {
    this.refusedRequests.push(`external request not verifiable offline: ${host}`);
  }
}
