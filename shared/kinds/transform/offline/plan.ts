import type { ColumnDtype } from '../dataset.js';

/** A literal a filter compares with, typed by its column. */
export type Literal = string | number | boolean;

export type FilterTest =
  | { op: '==' | '!=' | '>' | '>=' | '<' | '<='; value: Literal }
  | { op: 'between'; low: Literal; high: Literal }
  | { op: 'in'; values: Literal[] }
  | { op: 'contains' | 'starts with' | 'ends with'; text: string }
  | { op: 'is missing' | 'is not missing' }
  /** A datetime column within a year, month or day: from `start` (inclusive) to `end` (exclusive). */
  | { op: 'falls in'; period: string; start: string; end: string };

export type Aggregate = 'sum' | 'mean' | 'count' | 'min' | 'max';

/** One step of a transform, as the offline grammar understands it. */
export type Step =
  | { kind: 'filter'; column: string; test: FilterTest; remove: boolean }
  | { kind: 'select'; columns: string[] }
  | { kind: 'drop'; columns: string[] }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'sort'; keys: Array<{ column: string; descending: boolean }> }
  | { kind: 'group'; by: string[]; aggregate: Aggregate; column?: string; as: string }
  | { kind: 'dedupe'; by?: string[] }
  | { kind: 'fill'; columns: string[]; value: Literal }
  /** `expression` is Python over `df[...]` column references, numbers and + - * / ( ). */
  | { kind: 'add'; column: string; tokens: ExpressionToken[] }
  | { kind: 'top'; n: number; by?: string };

export type ExpressionToken =
  | { column: string }
  | { number: string }
  | { op: '+' | '-' | '*' | '/' | '(' | ')' };

export interface PlannedColumn {
  name: string;
  dtype: ColumnDtype;
}

export interface TransformPlan {
  steps: Step[];
  /** The columns after every step, in order. */
  output: PlannedColumn[];
}
