import '../../infra/local/quiet-logs.js';
import '../../infra/local/process-defaults.js';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';

/*
 * The local stack as `npm start` runs it, in a child process of the bench, with timers around what a
 * session spends its time on. Nothing here changes what the stack does: the SDK clients' `send`,
 * the file artifact store and each function invocation are wrapped from the outside (prototypes
 * and the stack's bench hook), and the figures go back to the parent over IPC.
 */

export interface StageTotals {
  count: number;
  ms: number;
}

export interface StackStats {
  /** Wall time per stage, summed over every call (calls overlap: these are not shares of the session). */
  stages: Record<string, StageTotals>;
  /** Per session: time with none of its Tasks running (the state machine runner between states). */
  idleMs: number;
  /** Per session: first Task start to last Task end. */
  spanMs: number;
  sessions: number;
  /** CPU of this process (gateway, handlers, the runner), of its reaped children (the sandboxes), and of its helper processes. */
  cpuMs: { stack: number; children: number; helpers: Record<string, number> };
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

const stages = new Map<string, StageTotals>();
function record(stage: string, ms: number): void {
  const entry = stages.get(stage) ?? { count: 0, ms: 0 };
  entry.count += 1;
  entry.ms += ms;
  stages.set(stage, entry);
}

async function timed<T>(
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

// Per session: the intervals its Tasks ran, to find the time the runner spent between them.
const spans = new Map<string, Array<[number, number]>>();
function sessionOf(name: string, payload: unknown): string | undefined {
  const p = payload as { sessionId?: unknown; item?: { sessionId?: unknown } } | undefined;
  if (name === 'http-api' || name.startsWith('ws-')) return undefined;
  const id = p?.sessionId ?? p?.item?.sessionId;
  return typeof id === 'string' ? id : undefined;
}

function stageOf(name: string, payload: unknown): string {
  if (name === 'notifier') return `notifier ${(payload as { action?: string }).action ?? ''}`.trim();
  return name;
}

const dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-bench-'));
const stack = await startLocalStack({
  port: 0,
  dataDir,
  wrapInvoke: async (name, payload, call) => {
    const sessionId = name === 'sandbox-slot' ? undefined : sessionOf(name, payload);
    const started = performance.now();
    const value = await timed((result) => {
      if (name !== 'sandbox') return stageOf(name, payload);
      // The sandbox's own verdict says how long the interpreter ran; the rest is the handler.
      const ran = (result as { durationMs?: number } | undefined)?.durationMs ?? 0;
      record('sandbox process', ran);
      return 'sandbox';
    }, call);
    if (sessionId !== undefined) {
      const list = spans.get(sessionId) ?? [];
      list.push([started, performance.now()]);
      spans.set(sessionId, list);
    }
    return value;
  },
});

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
let cpuStart = process.cpuUsage();
let childrenStart = childrenCpuMs();
let helpersStart = helperCpuMs();

/** Fields of /proc/<pid>/stat after the command name (so `state`, field 3, is at 0). */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU of reaped children (cutime + cstime: the sandboxes this process waited for). */
function childrenCpuMs(): number {
  const fields = statFields('self');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** CPU (utime + stime) of the live helper processes the stack started (dynalite), by command line. */
function helperCpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  const tasks = readdirSync('/proc/self/task');
  for (const task of tasks) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of children.map(Number)) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const name = /([\w-]+)\.[jt]s\0/.exec(cmdline)?.[1];
        if (!name) continue;
        const fields = statFields(pid);
        out[name] = (out[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      } catch {
        // it ended while being read
      }
    }
  }
  return out;
}

function reset(): void {
  stages.clear();
  spans.clear();
  loop.reset();
  cpuStart = process.cpuUsage();
  childrenStart = childrenCpuMs();
  helpersStart = helperCpuMs();
}

function stats(): StackStats {
  let idleMs = 0;
  let spanMs = 0;
  for (const intervals of spans.values()) {
    intervals.sort((a, b) => a[0] - b[0]);
    let [start, end] = intervals[0] ?? [0, 0];
    const first = start;
    for (const [s, e] of intervals.slice(1)) {
      if (s > end) {
        idleMs += s - end;
        start = s;
      }
      end = Math.max(end, e);
    }
    spanMs += end - first;
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    stages: Object.fromEntries(stages),
    idleMs,
    spanMs,
    sessions: spans.size,
    cpuMs: {
      stack: (cpu.user + cpu.system) / 1000,
      children: childrenCpuMs() - childrenStart,
      helpers: Object.fromEntries(
        Object.entries(helperCpuMs()).map(([name, ms]) => [name, ms - (helpersStart[name] ?? 0)]),
      ),
    },
    eventLoopDelayMs: {
      p50: loop.percentile(50) / 1e6,
      p99: loop.percentile(99) / 1e6,
      max: loop.max / 1e6,
    },
  };
}

process.on('message', (message: { type: string; id: number }) => {
  void (async () => {
    switch (message.type) {
      case 'reset':
        reset();
        process.send?.({ id: message.id });
        break;
      case 'drain':
        await stack.machine.drain();
        process.send?.({ id: message.id });
        break;
      case 'stats':
        process.send?.({ id: message.id, stats: stats() });
        break;
      case 'close':
        await stack.close();
        await rm(dataDir, { recursive: true, force: true });
        process.send?.({ id: message.id });
        process.disconnect();
        break;
    }
  })();
});
process.send?.({ type: 'ready', httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, containment: stack.containment });
