import '../../infra/local/quiet-logs.js';
import '../../infra/local/process-defaults.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { browserBench } from './browser-bench.js';
import {
  acceptRows,
  breakdownRows,
  loadBench,
  OPEN_LOOP_RATE,
  OPEN_LOOP_SECONDS,
  WARMUP_BATCHES,
} from './load-bench.js';
import { parallelismBench } from './parallelism-bench.js';
import { repairBench } from './repair-bench.js';
import { sandboxBench } from './sandbox-bench.js';
import { taskAcceptBench } from './task-accept-bench.js';

/*
 * `npm run bench`: every figure is measured side by side in this one run and printed as a ratio to
 * its reference, so the numbers mean the same on a slower or busier machine.
 */
function table(
  title: string,
  rows: Array<{ name: string; ms: number; ratio: number; cpuMs?: number }>,
  reference: string,
): void {
  const width = Math.max(...rows.map((row) => row.name.length), 10);
  const cpu = rows.some((row) => row.cpuMs !== undefined);
  console.log(`\n${title}`);
  console.log(
    `${'what'.padEnd(width)}  ${'median ms'.padStart(9)}  ${`× ${reference}`.padStart(12)}${cpu ? `  ${'CPU ms/run'.padStart(10)}` : ''}`,
  );
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${row.ms.toFixed(1).padStart(9)}  ${row.ratio.toFixed(2).padStart(12)}${cpu ? `  ${(row.cpuMs ?? 0).toFixed(1).padStart(10)}` : ''}`,
    );
  }
}

// `npm run bench -- load` runs only the load figures.
const only = process.argv[2];

if (only === undefined || only === 'sandbox')
  table('Sandbox: cost of each containment layer on a `pass` program', await sandboxBench(), 'bare');

if (only === undefined || only === 'browser')
  table('Browser sandbox: one job for a trivial site (one browser per job)', await browserBench(), 'bare');

if (only === undefined || only === 'repair') {
  const r = await repairBench('/usr/bin/python3');
  console.log(
    `\nRepair search: one-line bug fixtures (test/fixtures/repair), no model, one at a time, every mutant a sandbox job (${r.containment})`,
  );
  console.log(`verified            ${r.fixed}/${r.bugs} (${((100 * r.fixed) / r.bugs).toFixed(0)}%)`);
  console.log(`median time to fix  ${r.medianFixMs.toFixed(0)} ms`);
  console.log(`mean mutants run    ${r.meanMutants.toFixed(1)}`);
  console.log(`held-back passed    ${r.heldBack}/${r.fixed}`);
  console.log(`sandbox per mutant  ${r.msPerMutant.toFixed(1)} ms (whole run over mutants run)`);
}

if (only === undefined || only === 'parallelism') await parallelism();
if (only === undefined || only === 'load') await load();
if (only === undefined || only === 'tasks') await tasks();

async function tasks(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-bench-'));
  // No model key: the tasks accepted are built by the offline builder and checked in browsers meanwhile.
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    env: { TASK_SECRET: 'bench-secret', TASK_ALLOW_LOOPBACK_CALLBACK: 'true' },
  });
  try {
    const { stack: s, bare } = await taskAcceptBench(stack);
    console.log(
      `\nAccept latency: POST /v1/tasks, 10 tasks at once while earlier ones build (${s.count} requests each side)`,
    );
    latencyTable(s, bare, { stack: '(promise: p99 < 1000 ms)' });
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function parallelism(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-bench-'));
  const stack = await startLocalStack({ port: 0, dataDir });
  try {
    table(
      'Parallelism: whole sessions through the local stack (gateway, state machine Map, sandboxes, judge)',
      await parallelismBench(stack),
      '1 candidate',
    );
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A p50/p99 table of the stack beside the bare server, and their ratio; notes end the rows. */
function latencyTable(
  stack: { p50: number; p99: number },
  bare: { p50: number; p99: number },
  notes: { stack?: string; ratio?: string } = {},
): void {
  const row = (label: string, p50: string, p99: string, note?: string) =>
    console.log(`${label.padEnd(34)}  ${p50.padStart(8)}  ${p99.padStart(8)}${note ? `   ${note}` : ''}`);
  row('what', 'p50 ms', 'p99 ms');
  row('bare node:http server', bare.p50.toFixed(1), bare.p99.toFixed(1));
  row('local stack', stack.p50.toFixed(1), stack.p99.toFixed(1), notes.stack);
  row('× bare', (stack.p50 / bare.p50).toFixed(2), (stack.p99 / bare.p99).toFixed(2), notes.ratio);
}

async function load(): Promise<void> {
  const result = await loadBench();
  const { stack, bare } = result.latency;
  console.log(
    `\nAccept latency: POST /v1/fixes, 16 clients at once while the sessions they start run (${stack.count} requests each side)`,
  );
  latencyTable(stack, bare, { ratio: '(target p99 ≤ 3×)' });
  for (const row of acceptRows(result.accept, stack.count + 16)) console.log(row);
  // Each client always has a request out, nearly always the stack's: a request waits about
  // 16 ÷ the rate the stack serves them (Little's law), whatever the rate is spent on.
  const rate = (stack.count / result.latency.wallMs) * 1000;
  console.log(
    `the stack served ${rate.toFixed(0)} POST/s with up to 16 in flight: ≈ ${((16 / rate) * 1000).toFixed(0)} ms each by Little's law`,
  );
  const open = result.atRate;
  console.log(
    `\nAccept latency, open loop: a POST to each side every ${(1000 / OPEN_LOOP_RATE).toFixed(0)} ms for ${OPEN_LOOP_SECONDS} s (${open.stack.count} requests each side), while the earlier sessions run`,
  );
  latencyTable(open.stack, open.bare);
  const t = result.throughput;
  console.log(
    `\nThroughput: 40 verify-mode sessions at once, 3 sandbox runs each, after ${WARMUP_BATCHES * 40} warm-up sessions [${result.containment}]`,
  );
  console.log(
    `two-core reference (bare harness runs, 2 at a time): ${t.reference.toFixed(0)} sessions/min  (${t.references.map((r) => r.toFixed(0)).join(', ')})`,
  );
  console.log(
    `local stack:                                         ${t.stack.toFixed(0)} sessions/min  (${t.runs.map((r) => r.toFixed(0)).join(', ')})`,
  );
  // Each stack run beside the reference run just before it: the machine's own drift shows as spread.
  const paired = t.runs.map((run, i) => `${((run / (t.references[i] ?? run)) * 100).toFixed(0)}%`);
  console.log(
    `= ${((t.stack / t.reference) * 100).toFixed(0)}% of the two-core limit (target ≥ 50%); run by run beside its reference: ${paired.join(', ')}`,
  );
  console.log('\nWhere a session spends its time (throughput runs; wall times overlap)');
  for (const row of breakdownRows(result.breakdown)) console.log(row);
}
