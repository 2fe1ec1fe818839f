import { runRepairSearch } from '../../shared/kinds/fix/search/repair-search.js';
import { passes, readRepairBugs } from '../support/repair-fixtures.js';

/**
 * The repair search over the one-line bug fixtures, one at a time (timings stay comparable): the
 * fraction with a patch that passes the fixture's test, the median time to it, the mean mutants
 * run, and how many winners also pass the held-back test (overfitting).
 */

export interface RepairBenchReport {
  bugs: number;
  fixed: number;
  heldBack: number;
  medianFixMs: number;
  meanMutants: number;
}

export async function repairBench(python: string): Promise<RepairBenchReport> {
  const bugs = readRepairBugs();
  const fixMs: number[] = [];
  let mutants = 0;
  let heldBack = 0;
  for (const bug of bugs) {
    const started = performance.now();
    const result = await runRepairSearch(python, { program: bug.program, test: bug.test });
    mutants += result.tried;
    const best = result.patches[0];
    // Counted as fixed only when the winner passes the test again, outside the search.
    if (best === undefined || !passes(python, best.code, bug.test)) continue;
    fixMs.push(performance.now() - started);
    if (passes(python, best.code, bug.heldBack)) heldBack += 1;
  }
  fixMs.sort((a, b) => a - b);
  return {
    bugs: bugs.length,
    fixed: fixMs.length,
    heldBack,
    medianFixMs: fixMs[Math.floor(fixMs.length / 2)] ?? Number.NaN,
    meanMutants: mutants / bugs.length,
  };
}
