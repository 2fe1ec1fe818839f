import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';

/*
 * Bench-only timers, installed from the outside: every SDK client's `send` and the file artifact
 * store's reads and writes are wrapped on their prototypes, so nothing in the stack changes. Loaded
 * by the bench's stack process and, through NODE_OPTIONS, by the processes it starts (the sandbox
 * function); those write their totals to BENCH_STATS_DIR for the stack process to add up.
 */

export interface StageTotals {
  count: number;
  ms: number;
}

const stages = new Map<string, StageTotals>();
let dirty = false;

// Which process a figure comes from: the functions a helper process hosts, or the stack itself.
const script = process.argv.findIndex((arg) => /function-host\.[jt]s$/.test(arg));
const where = script >= 0 ? process.argv.slice(script + 1).join('+') : 'stack';

export function record(name: string, ms: number): void {
  const stage = `${name} [${where}]`;
  const entry = stages.get(stage) ?? { count: 0, ms: 0 };
  entry.count += 1;
  entry.ms += ms;
  stages.set(stage, entry);
  dirty = true;
}

export async function timed<T>(
  stage: string | ((value: T | undefined) => string),
  call: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let value: T | undefined;
  try {
    value = await call();
    return value;
  } finally {
    record(typeof stage === 'string' ? stage : stage(value), performance.now() - started);
  }
}

type Send = (
  this: unknown,
  command: { constructor: { name: string } },
  ...rest: unknown[]
) => Promise<unknown>;
function wrapSend(prototype: { send: unknown }, prefix: string): void {
  const original = prototype.send as Send;
  prototype.send = function send(
    this: unknown,
    command: { constructor: { name: string } },
    ...rest: unknown[]
  ) {
    return timed(`${prefix} ${command.constructor.name.replace(/Command$/, '')}`, () =>
      original.call(this, command, ...rest),
    );
  };
}
wrapSend(DynamoDBDocumentClient.prototype, 'dynalite');
wrapSend(ApiGatewayManagementApiClient.prototype, 'push');
wrapSend(SFNClient.prototype, 'sfn');
for (const method of ['put', 'get'] as const) {
  const original = FileArtifactStore.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  (FileArtifactStore.prototype as unknown as Record<string, unknown>)[method] = function (
    this: unknown,
    ...args: unknown[]
  ) {
    return timed(`artifact ${method}`, () => original.apply(this, args));
  };
}

const statsDir = process.env.BENCH_STATS_DIR;
const isMain = process.env.BENCH_STATS_MAIN === String(process.pid);
if (statsDir && !isMain) {
  const flush = () => {
    if (!dirty) return;
    dirty = false;
    writeFileSync(join(statsDir, `${process.pid}.json`), JSON.stringify(Object.fromEntries(stages)));
  };
  setInterval(flush, 500).unref();
  process.once('beforeExit', flush);
}

/** This process's totals and those the other processes last wrote, added up. */
export function allStages(): Record<string, StageTotals> {
  const total = new Map<string, StageTotals>();
  const add = (name: string, s: StageTotals) => {
    const entry = total.get(name) ?? { count: 0, ms: 0 };
    entry.count += s.count;
    entry.ms += s.ms;
    total.set(name, entry);
  };
  for (const [name, s] of stages) add(name, s);
  const dir = process.env.BENCH_STATS_DIR;
  if (dir) {
    for (const file of readdirSync(dir)) {
      try {
        const other = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, StageTotals>;
        for (const [name, s] of Object.entries(other)) add(name, s);
      } catch {
        // being written
      }
    }
  }
  return Object.fromEntries(total);
}

/** `after` minus `before`, stage by stage. */
export function since(
  before: Record<string, StageTotals>,
  after: Record<string, StageTotals>,
): Record<string, StageTotals> {
  const out: Record<string, StageTotals> = {};
  for (const [name, s] of Object.entries(after)) {
    const b = before[name] ?? { count: 0, ms: 0 };
    if (s.count - b.count > 0) out[name] = { count: s.count - b.count, ms: s.ms - b.ms };
  }
  return out;
}

// BENCH_CPU_PROF=dir: a CPU profile of each process the stack starts, written when it exits
// (--cpu-prof is not allowed in NODE_OPTIONS).
const profileDir = process.env.BENCH_CPU_PROF;
if (profileDir && statsDir && !isMain) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error)
        writeFileSync(join(profileDir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
