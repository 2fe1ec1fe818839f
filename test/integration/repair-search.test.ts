import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import { loadSearchScripts } from '../../shared/kinds/fix/search/search-scripts.js';
import type { SearchBatchDeps } from '../../shared/kinds/fix/use-cases/run-search-batch.js';
import type { SandboxRunner } from '../../shared/ports/sandbox-runner.js';
import {
  inlineTransfer,
  passes as passesAs,
  type RepairBug,
  readRepairBugs,
  type SearchOutcome,
  searchToEnd,
} from '../support/repair-fixtures.js';
import { workRootLeftovers } from '../support/work-root-leftovers.js';

/**
 * The repair search as the sandbox function runs it, with the real sandbox runner (the strongest
 * containment this machine gives): the three programs, the one-line bug fixtures (fix rate
 * and held-back tests), the budget, and hostile programs being searched over. Each winner is run
 * again outside the search, as its own check.
 */

const PYTHON = '/usr/bin/python3';
const passes = (program: string, harness?: string) => passesAs(PYTHON, program, harness);

const workRoot = join(tmpdir(), `te-sbx-repair-${process.pid}`);
let runner: SandboxRunner;
let deps: SearchBatchDeps;

beforeAll(async () => {
  runner = await createLocalSandboxRunner({ workRoot });
  deps = { runner, transfer: inlineTransfer, scripts: await loadSearchScripts() };
}, 60_000);

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

const search = (request: Parameters<typeof searchToEnd>[1]): Promise<SearchOutcome> =>
  searchToEnd(deps, request);

describe('Repair search: the issue programs', () => {
  it('fixes fib from its test with the one-constant edit', async () => {
    // Prepare
    const program = 'def fib(n):\n    if n <= 1:\n        return n\n    return fib(n-1) + fib(n-3)\n';
    const test = 'from main import fib\nassert [fib(i) for i in range(8)] == [0,1,1,2,3,5,8,13]\n';

    // Act
    const { state, codes } = await search({ program, test });

    // Assess
    expect(state.evidence).toBe('test');
    expect(state.ranked[0]).toBe(4);
    expect(state.patches[0]?.operator).toBe('constant');
    expect(codes[0]).toBe(program.replace('fib(n-3)', 'fib(n-2)'));
    expect(passes(codes[0] ?? '', test)).toBe(true);
  }, 60_000);

  it('fixes area from its NameError alone, editing only the traceback line inside the function', async () => {
    const program = 'def area(r):\n    return 3.14159 * radius * r\n\nprint(area(2))\n';
    const { state, codes } = await search({ program, traceback: "NameError: name 'radius' is not defined" });
    expect(state.evidence).toBe('weak');
    expect(state.patches[0]?.operator).toBe('name');
    expect(codes[0]).toBe(program.replace('radius', 'r'));
    // Never the module's own call: without a test, changing it would change the check, not the bug.
    for (const patch of state.patches) expect(patch.edits.map((edit) => edit.line)).toEqual([2]);
    expect(passes(codes[0] ?? '')).toBe(true);
  }, 60_000);

  it('fixes total_price from its TypeError with a conversion, keeping the line as written', async () => {
    const program =
      'def total_price(items):\n    total = 0\n    for item in items:\n        total += item["price"] * item["qty"]\n    return total\n\nprint(total_price([{"price": "3", "qty": 2}]))\n';
    const { state, codes } = await search({ program });
    expect(state.patches[0]?.operator).toBe('conversion');
    expect(codes[0]).toBe(program.replace('item["price"] *', 'int(item["price"]) *'));
    // Without a test, removing the failing computation is not offered as a fix.
    expect(state.patches.map((p) => p.operator)).not.toContain('delete');
    expect(passes(codes[0] ?? '')).toBe(true);
  }, 60_000);

  it('keeps CRLF line endings as the client wrote them (the planner and the patch agree on lines)', async () => {
    const program = 'def fib(n):\r\n    if n <= 1:\r\n        return n\r\n    return fib(n-1) + fib(n-3)\r\n';
    const test = 'from main import fib\nassert [fib(i) for i in range(8)] == [0,1,1,2,3,5,8,13]\n';
    const { codes } = await search({ program, test });
    expect(codes[0]).toBe(program.replace('fib(n-3)', 'fib(n-2)'));
  }, 60_000);

  it('says "not reproduced" and runs no mutant when the harness already passes', async () => {
    const { state } = await search({
      program: 'def f(x):\n    return x + 1\n',
      test: 'from main import f\nassert f(1) == 2\n',
    });
    expect(state.stopped).toBe('not-reproduced');
    expect(state.patches).toEqual([]);
    expect(state.tried).toBe(0);
  }, 30_000);

  it('tries pairs of edits only once every single edit failed', async () => {
    // Both lines are wrong: no single edit passes, the pair of operator swaps does.
    const program = 'def h(x, y):\n    s = x - y\n    d = x + y\n    return (s, d)\n';
    const test = 'from main import h\nassert h(3, 1) == (4, 2)\nassert h(5, 2) == (7, 3)\n';
    const { state, codes } = await search({ program, test });
    expect(state.tried).toBeGreaterThan(state.singles);
    expect(state.patches[0]?.edits).toHaveLength(2);
    expect(state.patches[0]?.operator).toBe('binary+binary');
    expect(codes[0]).toBe('def h(x, y):\n    s = x + y\n    d = x - y\n    return (s, d)\n');
  }, 120_000);
});

describe('Repair search: the one-line bug fixtures', () => {
  const bugs = readRepairBugs();

  it('has at least 40 bugs across every operator class, each failing its own test', () => {
    expect(bugs.length).toBeGreaterThanOrEqual(40);
    const classes = new Set(bugs.map((b) => b.class));
    for (const c of ['binary', 'compare', 'bool', 'constant', 'name', 'argument-swap', 'negation'])
      expect(classes).toContain(c);
    for (const c of ['bound-shift', 'return-value', 'delete', 'duplicate', 'conversion'])
      expect(classes).toContain(c);
    for (const bug of bugs) expect(passes(bug.program, bug.test), bug.id).toBe(false);
  }, 120_000);

  it('verifies at least 75% of them; every winner passes its test, most the held-back one', async () => {
    const results: Array<{ bug: RepairBug; outcome: SearchOutcome }> = [];
    for (const bug of bugs)
      results.push({ bug, outcome: await search({ program: bug.program, test: bug.test }) });
    let fixed = 0;
    let heldBack = 0;
    for (const { bug, outcome } of results) {
      const best = outcome.codes[0];
      if (best === undefined) continue;
      expect(passes(best, bug.test), bug.id).toBe(true);
      fixed += 1;
      if (passes(best, bug.heldBack)) heldBack += 1;
    }
    console.info(
      `repair fixtures: ${fixed}/${bugs.length} fixed, ${heldBack}/${fixed} pass the held-back test`,
    );
    expect(fixed / bugs.length).toBeGreaterThanOrEqual(0.75);
    expect(heldBack / fixed).toBeGreaterThanOrEqual(0.75);
  }, 600_000);
});

describe('Repair search: budget and containment', () => {
  const test = 'from main import f\nassert f(1) == 2\n';
  // The grace covers the last mutant's kill and cleanup, on a machine two cores wide.
  const GRACE_MS = 4_000;

  it('stops at its mutant count', async () => {
    const { state } = await search({
      program: 'def f(n):\n    return n * 7 - 5 + 3\n',
      test: 'from main import f\nassert f(1) == 100\n',
      budget: { maxMutants: 5 },
    });
    expect(state.tried).toBe(5);
    expect(state.stopped).toBe('mutants');
    expect(state.patches).toEqual([]);
  }, 60_000);

  // Each program fails fast as written; the mutants that flip its guard turn hostile. They run as
  // every candidate runs: the policy lets them do what the original does, the kernel layers hold.
  const hostile: Record<string, string> = {
    sleep: 'import time\ndef f(n):\n    if n > 100:\n        time.sleep(30)\n    return n - 1\n',
    'memory bomb':
      "def f(n):\n    if n > 100:\n        x = []\n        while True:\n            x.append(' ' * 10**7)\n    return n - 1\n",
    'fork bomb':
      'import os\ndef f(n):\n    if n > 100:\n        while True:\n            try:\n                os.fork()\n            except OSError:\n                pass\n    return n - 1\n',
  };
  for (const [name, program] of Object.entries(hostile)) {
    it(`holds its time budget over a ${name}, still finds the fix, and leaves nothing running`, async () => {
      const started = Date.now();
      const { state, codes } = await search({ program, test, budget: { timeMs: 6_000, sliceMs: 2_000 } });
      expect(Date.now() - started).toBeLessThan(6_000 + GRACE_MS);
      // The hostile mutants ran (the guard's line was edited) and the fix was still found.
      expect(state.tried).toBeGreaterThan(state.patches.length);
      expect(codes).toContain(program.replace('return n - 1', 'return n + 1'));
      expect(await leftovers()).toEqual([]);
    }, 60_000);
  }
});

/** Processes whose command line or environment still mentions this suite's work root. */
function leftovers(graceMs?: number): Promise<string[]> {
  return workRootLeftovers(workRoot, graceMs);
}
