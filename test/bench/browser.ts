import { browserBench } from './browser-bench.js';

// `npx tsx test/bench/browser.ts`: the browser rows of `npm run bench` alone.
for (const row of await browserBench()) {
  console.log(`${row.name.padEnd(52)} ${row.ms.toFixed(0).padStart(6)} ms  × ${row.ratio.toFixed(2)}`);
}
