import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { loadSearchScripts } from '../../shared/kinds/fix/search/search-scripts.js';
import { inlineTransfer, passes, readRepairBugs, searchToEnd } from '../support/repair-fixtures.js';

/**
 * The repair search over the one-line bug fixtures, one at a time (timings stay comparable), as the
 * sandbox function runs it: every mutant a sandbox job at the strongest containment here. Reports
 * the fraction with a patch that passes the fixture's test, the median time to it, the mean
 * mutants run, the sandbox's time per mutant, and how many winners also pass the held-back test
 * (overfitting).
 */

export interface RepairBenchReport {
  bugs: number;
  fixed: number;
  heldBack: number;
  medianFixMs: number;
  meanMutants: number;
  /** Wall time of the whole run over every mutant run: what one mutant costs in the sandbox. */
  msPerMutant: number;
  containment: string;
}

export async function repairBench(python: string): Promise<RepairBenchReport> {
  const bugs = readRepairBugs();
  const runner = await createLocalSandboxRunner({ pythonPath: python });
  const deps = { runner, transfer: inlineTransfer, scripts: await loadSearchScripts() };
  const fixMs: number[] = [];
  let mutants = 0;
  let heldBack = 0;
  const began = performance.now();
  for (const bug of bugs) {
    const started = performance.now();
    const { state, codes } = await searchToEnd(deps, { program: bug.program, test: bug.test });
    const elapsed = performance.now() - started;
    mutants += state.tried;
    const best = codes[0];
    // Counted as fixed only when the winner passes the test again, outside the search.
    if (best === undefined || !passes(python, best, bug.test)) continue;
    fixMs.push(elapsed);
    if (passes(python, best, bug.heldBack)) heldBack += 1;
  }
  const total = performance.now() - began;
  fixMs.sort((a, b) => a - b);
  return {
    bugs: bugs.length,
    fixed: fixMs.length,
    heldBack,
    medianFixMs: fixMs[Math.floor(fixMs.length / 2)] ?? Number.NaN,
    meanMutants: mutants / bugs.length,
    msPerMutant: total / Math.max(1, mutants),
    containment: runner.capabilities().level,
  };
}
