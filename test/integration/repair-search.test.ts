import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type RepairRequest,
  type RepairResult,
  runRepairSearch,
} from '../../shared/kinds/fix/search/repair-search.js';
import { passes as passesAs, type RepairBug, readRepairBugs } from '../support/repair-fixtures.js';

/**
 * The repair search's driver with a real python: the three programs, the one-line bug
 * fixtures (fix rate and held-back tests), the budget, and hostile programs being searched over.
 */

const PYTHON = '/usr/bin/python3';
const passes = (program: string, harness?: string) => passesAs(PYTHON, program, harness);

const search = (request: RepairRequest): Promise<RepairResult> => runRepairSearch(PYTHON, request);

describe('Repair search: the issue programs', () => {
  it('fixes fib from its test with the one-constant edit', async () => {
    // Prepare
    const program = 'def fib(n):\n    if n <= 1:\n        return n\n    return fib(n-1) + fib(n-3)\n';
    const test = 'from main import fib\nassert [fib(i) for i in range(8)] == [0,1,1,2,3,5,8,13]\n';
    const progress: string[] = [];

    // Act
    const result = await runRepairSearch(PYTHON, { program, test }, (l) => progress.push(l));

    // Assess
    expect(result.reproduced).toBe(true);
    expect(result.evidence).toBe('test');
    const [best] = result.patches;
    expect(best?.code).toContain('fib(n-1) + fib(n-2)');
    expect(best?.operator).toBe('constant');
    expect(passes(best?.code ?? '', test)).toBe(true);
    expect(progress.at(-1)).toMatch(/^searching: \d+\/\d+ edits/);
  }, 60_000);

  it('fixes area from its NameError alone, and says the evidence is weak', async () => {
    const program = 'def area(r):\n    return 3.14159 * radius * r\n\nprint(area(2))\n';
    const result = await search({
      program,
      traceback:
        'Traceback (most recent call last):\n  File "main.py", line 4, in <module>\n  File "main.py", line 2, in area\nNameError: name \'radius\' is not defined',
    });
    expect(result.evidence).toBe('weak');
    const [best] = result.patches;
    expect(best?.diff).toBe('-    return 3.14159 * radius * r\n+    return 3.14159 * r * r');
    expect(best?.operator).toBe('name');
    // Only the traceback's lines inside the program's functions were edited, never the call.
    for (const patch of result.patches) expect(patch.lines).toEqual([2]);
    expect(passes(best?.code ?? '')).toBe(true);
  }, 60_000);

  it('fixes total_price from its TypeError with a conversion, keeping the line as written', async () => {
    const program =
      'def total_price(items):\n    total = 0\n    for item in items:\n        total += item["price"] * item["qty"]\n    return total\n\nprint(total_price([{"price": "3", "qty": 2}]))\n';
    const result = await search({ program });
    const [best] = result.patches;
    expect(best?.operator).toBe('conversion');
    expect(best?.diff).toBe(
      '-        total += item["price"] * item["qty"]\n+        total += int(item["price"]) * item["qty"]',
    );
    // Without a test, removing the failing computation is not offered as a fix.
    expect(result.patches.map((p) => p.operator)).not.toContain('delete');
    expect(passes(best?.code ?? '')).toBe(true);
  }, 60_000);

  it('says "not reproduced" and proposes nothing when the harness already passes', async () => {
    const result = await search({
      program: 'def f(x):\n    return x + 1\n',
      test: 'from main import f\nassert f(1) == 2\n',
    });
    expect(result.reproduced).toBe(false);
    expect(result.patches).toEqual([]);
    expect(result.tried).toBe(0);
  }, 30_000);
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
    // Two at a time: the machine has two cores.
    const results: Array<{ bug: RepairBug; result: RepairResult }> = [];
    const queue = [...bugs];
    await Promise.all(
      [0, 1].map(async () => {
        for (let bug = queue.shift(); bug !== undefined; bug = queue.shift())
          results.push({ bug, result: await search({ program: bug.program, test: bug.test }) });
      }),
    );
    let fixed = 0;
    let heldBack = 0;
    for (const { bug, result } of results) {
      const best = result.patches[0];
      if (best === undefined) continue;
      expect(passes(best.code, bug.test), bug.id).toBe(true);
      fixed += 1;
      if (passes(best.code, bug.heldBack)) heldBack += 1;
    }
    console.info(
      `repair fixtures: ${fixed}/${bugs.length} fixed, ${heldBack}/${fixed} pass the held-back test`,
    );
    expect(fixed / bugs.length).toBeGreaterThanOrEqual(0.75);
    expect(heldBack / fixed).toBeGreaterThanOrEqual(0.75);
  }, 600_000);
});

describe('Repair search: budget and containment', () => {
  const test =
    'from main import f\ndef test_a():\n    assert f(1) == 2\nif __name__ == "__main__":\n    test_a()\n';
  // The grace covers killing what the last mutant left, on a machine two cores wide.
  const GRACE_S = 4;

  it('stops at its mutant count', async () => {
    const result = await search({
      program: 'def f(n):\n    return n * 7 - 5 + 3\n',
      test: 'from main import f\nassert f(1) == 100\n',
      maxMutants: 5,
    });
    expect(result.tried).toBe(5);
    expect(result.patches).toEqual([]);
  }, 60_000);

  // No fork bomb here: run as root (as CI runs), the driver's process-count cap does not bind, and
  // until its process group is killed such a program fills the machine's process table. Bounding
  // process creation is the sandbox's per-run uid and pid namespace, which the search gets when it
  // runs as a sandbox job.
  const hostile: Record<string, string> = {
    sleep: 'import time\ndef f(n):\n    time.sleep(30)\n    return n - 1\n',
    'memory bomb':
      "def f(n):\n    x = []\n    while True:\n        x.append(' ' * 10**7)\n    return n - 1\n",
  };
  for (const [name, program] of Object.entries(hostile)) {
    it(`holds its time budget over a ${name}, and leaves nothing running`, async () => {
      const started = Date.now();
      const result = await search({ program, test, timeSeconds: 6 });
      const elapsed = (Date.now() - started) / 1000;
      expect(result.reproduced).toBe(true);
      expect(elapsed).toBeLessThan(6 + GRACE_S);
      await new Promise((r) => setTimeout(r, 1500));
      expect(leftovers()).toEqual([]);
    }, 60_000);
  }
});

/** Live processes (not zombies) still running a mutant's case script. */
function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('te_repair_case.py') && !/\) Z /.test(stat)) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
