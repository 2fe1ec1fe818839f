import '../../infra/local/quiet-logs.js';
import '../../infra/local/process-defaults.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { browserBench } from './browser-bench.js';
import { parallelismBench } from './parallelism-bench.js';
import { sandboxBench } from './sandbox-bench.js';

/*
 * `npm run bench`: every figure is measured side by side in this one run and printed as a ratio to
 * its reference, so the numbers mean the same on a slower or busier machine.
 */
function table(
  title: string,
  rows: Array<{ name: string; ms: number; ratio: number }>,
  reference: string,
): void {
  const width = Math.max(...rows.map((row) => row.name.length), 10);
  console.log(`\n${title}`);
  console.log(`${'what'.padEnd(width)}  ${'median ms'.padStart(9)}  ${`× ${reference}`.padStart(12)}`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${row.ms.toFixed(1).padStart(9)}  ${row.ratio.toFixed(2).padStart(12)}`,
    );
  }
}

table('Sandbox: cost of each containment layer on a `pass` program', await sandboxBench(), 'bare');

table('Browser sandbox: one job for a trivial site (one browser per job)', await browserBench(), 'bare');

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
