import type { LocalStack } from '../../infra/local/local-stack.js';
import { requestFix } from '../../shared/client/fix-client.js';

export interface BenchFigure {
  name: string;
  ms: number;
  ratio: number;
}

const SLEEPER = 'import time\ntime.sleep(1)\n';
// The baseline must fail for a session to verify anything.
const BROKEN = 'raise SystemExit(1)\n';

async function timeSession(stack: LocalStack, candidates: string[]): Promise<number> {
  const started = performance.now();
  const result = await requestFix({
    url: stack.wsUrl,
    request: { code: BROKEN, candidates },
    timeoutMs: 60_000,
  });
  if (result.status !== 'verified') throw new Error(`bench session ended ${result.status}: ${result.reason}`);
  return performance.now() - started;
}

/**
 * Three candidates that each sleep 1 s against a single one, through the whole local pipeline
 * (gateway, state machine Map, sandboxes, judge): a ratio near 1 means they really ran side by side.
 * Alternates the two shapes so drift on the machine hits both alike; reports medians.
 */
export async function parallelismBench(stack: LocalStack, repeats = 3): Promise<BenchFigure[]> {
  const single: number[] = [];
  const triple: number[] = [];
  await timeSession(stack, [SLEEPER]); // warm-up: first imports, table, interpreter caches
  for (let i = 0; i < repeats; i += 1) {
    single.push(await timeSession(stack, [SLEEPER]));
    triple.push(await timeSession(stack, [SLEEPER, SLEEPER, SLEEPER]));
  }
  const one = median(single);
  const three = median(triple);
  return [
    { name: 'session with 1 candidate sleeping 1 s', ms: one, ratio: 1 },
    { name: 'session with 3 candidates sleeping 1 s each', ms: three, ratio: three / one },
  ];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
