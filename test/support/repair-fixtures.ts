import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** One of the one-line bug fixtures: a program, its test, and a held-back test with other cases. */
export interface RepairBug {
  id: string;
  class: string;
  program: string;
  test: string;
  heldBack: string;
}

const FIXTURES = resolve(import.meta.dirname, '../fixtures/repair/one-line-bugs.json');

export function readRepairBugs(): RepairBug[] {
  return JSON.parse(readFileSync(FIXTURES, 'utf8')) as RepairBug[];
}

/**
 * Runs `harness` (or the program itself) against `program` as the judge would, outside the search
 * that proposed it: exit 0 passes.
 */
export function passes(python: string, program: string, harness?: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'te-repair-check-'));
  try {
    writeFileSync(join(dir, 'main.py'), program);
    if (harness !== undefined) writeFileSync(join(dir, 'reproduce_issue.py'), harness);
    execFileSync(python, [harness !== undefined ? 'reproduce_issue.py' : 'main.py'], {
      cwd: dir,
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
