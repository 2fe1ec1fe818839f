import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runRepairSearch } from '../../shared/kinds/fix/search/repair-search.js';

/**
 * The repair search over the one-line bug fixtures, one at a time (timings stay comparable): the
 * fraction with a patch that passes the fixture's test, the median time to it, the mean mutants
 * run, and how many winners also pass the held-back test (overfitting).
 */

interface Bug {
  id: string;
  program: string;
  test: string;
  heldBack: string;
}

export interface RepairBenchReport {
  bugs: number;
  fixed: number;
  heldBack: number;
  medianFixMs: number;
  meanMutants: number;
}

const FIXTURES = resolve(import.meta.dirname, '../fixtures/repair/one-line-bugs.json');

export async function repairBench(python: string): Promise<RepairBenchReport> {
  const bugs = JSON.parse(readFileSync(FIXTURES, 'utf8')) as Bug[];
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

function passes(python: string, program: string, test: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'te-repair-bench-'));
  try {
    writeFileSync(join(dir, 'main.py'), program);
    writeFileSync(join(dir, 'reproduce_issue.py'), test);
    execFileSync(python, ['reproduce_issue.py'], { cwd: dir, stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
