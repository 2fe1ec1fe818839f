/**
 * What a candidate's output must satisfy, taken from the specification: the judge's harness for a
 * transform. The trusted Python harness measures the output; `judgeOutput` decides.
 */
export interface OutputChecks {
  /** Output columns exactly as specified, in this order. */
  columns: string[];
  /** Rows the input had: a filter may only shrink it. */
  inputRows: number;
  /** At most this many rows (a filter: the input's count; top N: N). */
  maxRows?: number;
  /** Exactly this many rows, when the steps fix it (a group-by over the whole input: its distinct keys). */
  exactRows?: number;
  /** A group-by's keys: the output has one row per key (no two rows share them). */
  uniqueBy?: string[];
}
