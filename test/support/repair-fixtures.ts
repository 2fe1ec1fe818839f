import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  SEARCH_DEFAULTS,
  type SearchJob,
  type SearchState,
  smallestFirst,
} from '../../shared/domain/search-job.js';
import { applyEdits } from '../../shared/kinds/fix/search/program-lines.js';
import { runSearchBatch, type SearchBatchDeps } from '../../shared/kinds/fix/use-cases/run-search-batch.js';
import type { ContentTransfer } from '../../shared/ports/content-transfer.js';

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

/** What a whole search found: its last state, how many batches it took, and its patches' programs. */
export interface SearchOutcome {
  state: SearchState;
  batches: number;
  /** The patches' programs, smallest edit first (the order the controller adopts them in). */
  codes: string[];
}

/**
 * Runs a repair search to its end batch by batch, handing each batch the state the last one
 * answered, as the state machine's SearchBatch ⇄ Searched loop does.
 */
export async function searchToEnd(
  deps: SearchBatchDeps,
  request: { program: string; test?: string; traceback?: string; budget?: Partial<SearchJob['budget']> },
): Promise<SearchOutcome> {
  let job: SearchJob = {
    kind: 'repair-search',
    sessionId: 'search-test',
    round: 1,
    filename: 'main.py',
    program: { text: request.program },
    ...(request.test === undefined ? {} : { test: { text: request.test } }),
    ...(request.traceback === undefined ? {} : { traceback: request.traceback }),
    budget: { ...SEARCH_DEFAULTS, ...request.budget },
  };
  for (let batches = 1; ; batches += 1) {
    const state = await runSearchBatch(deps, job);
    if (state.stopped !== undefined) {
      const codes = smallestFirst(state.patches).map((patch) => applyEdits(request.program, patch.edits));
      return { state, batches, codes };
    }
    job = { ...job, state };
  }
}

/** Content handed inline, as the controller hands a small program; nothing is uploaded. */
export const inlineTransfer: ContentTransfer = {
  read: async (content) => {
    if (!('text' in content)) throw new Error('only inline content here');
    return content.text;
  },
  upload: async () => {},
};
