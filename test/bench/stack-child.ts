import '../../infra/local/quiet-logs.js';
import '../../infra/local/process-defaults.js';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { allStages, record, type StageTotals, since, timed } from './instrument.js';

/*
 * The local stack as `npm start` runs it, in a child process of the bench, with timers around what a
 * session spends its time on. Nothing here changes what the stack does: the SDK clients' `send`,
 * the file artifact store and each function invocation are wrapped from the outside (prototypes
 * and the stack's bench hook), and the figures go back to the parent over IPC.
 */

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

// Per session: the intervals its Tasks ran, to find the time the runner spent between them.
const spans = new Map<string, Array<[number, number]>>();
function sessionOf(name: string, payload: unknown): string | undefined {
  const p = payload as { sessionId?: unknown; item?: { sessionId?: unknown } } | undefined;
  if (name === 'http-api' || name.startsWith('ws-')) return undefined;
  const id = p?.sessionId ?? p?.item?.sessionId;
  return typeof id === 'string' ? id : undefined;
}

function stageOf(name: string, payload: unknown): string {
  if (name === 'notifier') return `invoke notifier ${(payload as { action?: string }).action ?? ''}`.trim();
  if (name === 'sandbox-slot') return 'sandbox Task (slot wait + invoke)';
  return `invoke ${name}`;
}

const dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-bench-'));
// The processes the stack starts load the same timers and leave their totals here.
const statsDir = join(dataDir, 'bench-stats');
mkdirSync(statsDir);
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const instrument = pathToFileURL(join(import.meta.dirname, 'instrument.ts')).href;
Object.assign(process.env, {
  BENCH_STATS_DIR: statsDir,
  BENCH_STATS_MAIN: String(process.pid),
  NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', `--import ${tsx} --import ${instrument}`].join(' ').trim(),
});
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
      record('sandbox interpreter (its own timing)', ran);
      return 'invoke sandbox';
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
        const args = cmdline.split('\0').filter(Boolean);
        const script = args.findIndex((arg) => /\.[jt]s$/.test(arg));
        const file = args[script]
          ?.split('/')
          .pop()
          ?.replace(/\.[jt]s$/, '');
        const name = file && [file, ...args.slice(script + 1)].join(' ');
        if (!name) continue;
        const fields = statFields(pid);
        out[name] = (out[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
        const warm = warmInterpreterCpuMs(pid);
        if (warm > 0) out[`${name} warm interpreter`] = (out[`${name} warm interpreter`] ?? 0) + warm;
        // What it started and waited for (the sandbox function's interpreters).
        const reaped = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
        if (reaped > 0) out[`${name} children`] = (out[`${name} children`] ?? 0) + reaped;
      } catch {
        // it ended while being read
      }
    }
  }
  return out;
}

/**
 * CPU of the warm interpreters a helper started (the sandbox function's fork server): their own
 * and that of the runs they forked and reaped, which never reach the helper's own counts.
 */
function warmInterpreterCpuMs(parent: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${parent}/task`)) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8')
        .trim()
        .split(' ')
        .filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of children.map(Number)) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('te_sandbox_forkserver')) continue;
        const f = statFields(pid);
        total += ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / 100;
      } catch {
        // it ended while being read
      }
    }
  }
  return total;
}

let stagesStart = allStages();
function reset(): void {
  stagesStart = allStages();
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
    stages: since(stagesStart, allStages()),
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
        // Whatever might still hold the loop open, the bench is done with this stack.
        setTimeout(() => process.exit(0), 500).unref();
        break;
    }
  })();
});
process.send?.({ type: 'ready', httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, containment: stack.containment });
