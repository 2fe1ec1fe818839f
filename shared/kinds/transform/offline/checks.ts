import type { Cell, TypedTable } from '../dataset.js';
import type { OutputChecks } from '../output-checks.js';
import { parseSpec } from '../spec.js';
import { planSteps } from './grammar.js';
import type { Step, TransformPlan } from './plan.js';

/** Steps that change no value and drop no row: rows and keys are the input's after them. */
const KEEPS_ROWS: ReadonlySet<Step['kind']> = new Set(['select', 'drop', 'rename', 'sort']);

/**
 * The checks a specification implies for this table. The output columns come from its *Output
 * columns* section, whoever wrote it. When its steps are in the grammar's words (the offline
 * compiler's, or a person's who follows the README) the row checks come from them too: a plan that
 * only reshapes keeps every row; filters, duplicates and top N only shrink (top N to at most N); a
 * group-by gives one row per key, exactly as many as the table has distinct keys when nothing
 * before it changed a row.
 */
export function checksFromSpec(spec: string, table: TypedTable): OutputChecks {
  const sections = parseSpec(spec);
  const checks: OutputChecks = {
    columns: sections.outputColumns.map((column) => column.name),
    inputRows: table.rows.length,
  };
  let plan: TransformPlan;
  try {
    plan = planSteps(sections.steps, table.columns);
  } catch {
    return checks;
  }
  return { ...checks, ...rowChecks(plan.steps, table) };
}

function rowChecks(steps: readonly Step[], table: TypedTable): Partial<OutputChecks> {
  let rows: { exact?: number; max: number } = { exact: table.rows.length, max: table.rows.length };
  let unique: string[] | undefined;
  steps.forEach((step, at) => {
    switch (step.kind) {
      case 'filter':
      case 'dedupe':
        rows = { max: rows.max };
        break;
      case 'top':
        rows = {
          ...(rows.exact !== undefined ? { exact: Math.min(rows.exact, step.n) } : {}),
          max: Math.min(rows.max, step.n),
        };
        break;
      case 'group': {
        const untouched = steps.slice(0, at).every((before) => KEEPS_ROWS.has(before.kind));
        const keys = untouched ? distinctKeys(table, originalNames(step.by, steps.slice(0, at))) : undefined;
        rows = keys === undefined ? { max: rows.max } : { exact: keys, max: keys };
        unique = [...step.by];
        break;
      }
      case 'rename':
        if (unique) unique = unique.map((name) => (name === step.from ? step.to : name));
        break;
      case 'select':
        if (unique && !unique.every((name) => step.columns.includes(name))) unique = undefined;
        break;
      case 'drop':
        if (unique?.some((name) => step.columns.includes(name))) unique = undefined;
        break;
      default:
        break;
    }
  });
  return {
    maxRows: rows.max,
    ...(rows.exact === undefined ? {} : { exactRows: rows.exact }),
    ...(unique === undefined ? {} : { uniqueBy: unique }),
  };
}

/** What the columns were called in the table, before the renames among `before`. */
function originalNames(names: readonly string[], before: readonly Step[]): string[] {
  return names.map((name) =>
    [...before]
      .reverse()
      .reduce((current, step) => (step.kind === 'rename' && step.to === current ? step.from : current), name),
  );
}

/** Distinct key tuples with no missing part (groupby leaves those out), or undefined if a key is unknown. */
function distinctKeys(table: TypedTable, keys: readonly string[]): number | undefined {
  const at = keys.map((key) => table.columns.findIndex((column) => column.name === key));
  if (at.some((index) => index < 0)) return undefined;
  const seen = new Set<string>();
  for (const row of table.rows) {
    const key: Cell[] = at.map((index) => row[index] ?? null);
    if (key.some((value) => value === null)) continue;
    seen.add(JSON.stringify(key));
  }
  return seen.size;
}
