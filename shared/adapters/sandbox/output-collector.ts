/**
 * Collects one output stream of a run: the first `headBytes` and the last `tailBytes`, counting
 * the rest, so memory stays bounded however much a program prints.
 */
export class OutputCollector {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private tail: Buffer = Buffer.alloc(0);
  total = 0;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headLength < this.headBytes) {
      const take = chunk.subarray(0, this.headBytes - this.headLength);
      this.head.push(take);
      this.headLength += take.length;
    }
    if (this.tailBytes > 0) {
      const joined = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
      this.tail =
        joined.length > this.tailBytes
          ? Buffer.from(joined.subarray(joined.length - this.tailBytes))
          : joined;
    }
  }

  /** The collected text; when bytes were dropped between head and tail, a marker says how many. */
  text(): string {
    const head = Buffer.concat(this.head, this.headLength);
    if (this.total <= this.headLength) return head.toString('utf8');
    const tailStart = this.total - this.tail.length;
    if (tailStart <= this.headLength) {
      // The tail overlaps the head: together they hold every byte.
      return Buffer.concat([head, this.tail.subarray(this.headLength - tailStart)]).toString('utf8');
    }
    const dropped = tailStart - this.headLength;
    return `${head.toString('utf8')}\n[… ${dropped} bytes dropped …]\n${this.tail.toString('utf8')}`;
  }
}
