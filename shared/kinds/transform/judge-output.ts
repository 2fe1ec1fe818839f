import type { RunSummary, TransformOutcome } from '../../domain/types.js';
import type { OutputChecks } from './output-checks.js';

/** One check of a candidate's output, as the client is shown it. */
export interface OutputCheckVerdict {
  name: string;
  passed: boolean;
  detail?: string;
}

export interface OutputVerdict {
  passed: boolean;
  checks: OutputCheckVerdict[];
}

/**
 * The judge's rule for a transform: a candidate passes only when its program ran to completion in
 * the sandbox (the harness wrote its output) and the measured output satisfies every check the
 * specification implies. Nothing that did not run is judged: a run that failed has one failing check.
 */
export function judgeOutput(checks: OutputChecks, result: RunSummary | undefined): OutputVerdict {
  if (!result) return { passed: false, checks: [{ name: 'ran', passed: false, detail: 'not run yet' }] };
  const outcome = result.transform;
  if (result.status !== 'passed' || !outcome) {
    const detail = result.reason ?? (result.status === 'passed' ? 'the run left no output' : result.status);
    return { passed: false, checks: [{ name: 'ran', passed: false, detail }] };
  }
  const verdicts: OutputCheckVerdict[] = [{ name: 'ran', passed: true }];
  if (outcome.error !== undefined) {
    verdicts.push({ name: 'output readable', passed: false, detail: outcome.error });
    return { passed: false, checks: verdicts };
  }
  verdicts.push(columnsCheck(checks, outcome), ...rowChecks(checks, outcome), nullCheck(outcome));
  return { passed: verdicts.every((verdict) => verdict.passed), checks: verdicts };
}

function columnsCheck(checks: OutputChecks, outcome: TransformOutcome): OutputCheckVerdict {
  const got = outcome.columns.map((column) => column.name);
  if (checks.columns.length === 0) {
    return got.length > 0
      ? { name: 'columns', passed: true, detail: 'no columns specified; the output has some' }
      : { name: 'columns', passed: false, detail: 'the output has no columns' };
  }
  const same = got.length === checks.columns.length && got.every((name, at) => name === checks.columns[at]);
  return same
    ? { name: 'columns as specified, in order', passed: true }
    : {
        name: 'columns as specified, in order',
        passed: false,
        detail: `expected ${list(checks.columns)}, got ${list(got)}`,
      };
}

function rowChecks(checks: OutputChecks, outcome: TransformOutcome): OutputCheckVerdict[] {
  const verdicts: OutputCheckVerdict[] = [];
  if (checks.exactRows !== undefined) {
    verdicts.push({
      name: `exactly ${checks.exactRows} rows`,
      passed: outcome.rows === checks.exactRows,
      ...(outcome.rows === checks.exactRows ? {} : { detail: `got ${outcome.rows}` }),
    });
  }
  if (checks.maxRows !== undefined) {
    verdicts.push({
      name: `at most ${checks.maxRows} rows`,
      passed: outcome.rows <= checks.maxRows,
      ...(outcome.rows <= checks.maxRows ? {} : { detail: `got ${outcome.rows}` }),
    });
  }
  if (checks.uniqueBy !== undefined && checks.uniqueBy.length > 0) {
    const passed = outcome.duplicateKeyRows === 0;
    verdicts.push({
      name: `one row per ${list(checks.uniqueBy)}`,
      passed,
      ...(passed ? {} : { detail: `${outcome.duplicateKeyRows} rows repeat a key` }),
    });
  }
  return verdicts;
}

function nullCheck(outcome: TransformOutcome): OutputCheckVerdict {
  return outcome.nullColumns.length === 0
    ? { name: 'no column entirely missing', passed: true }
    : {
        name: 'no column entirely missing',
        passed: false,
        detail: `all missing: ${list(outcome.nullColumns)}`,
      };
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.map((name) => `"${name}"`).join(', ');
}
