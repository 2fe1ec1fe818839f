import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestFix } from '../../shared/client/fix-client.js';
import type { StageTotals } from './instrument.js';
import type { StackStats } from './stack-child.js';

/*
 * Load figures through a local stack in a child process (as `npm start` runs it), each beside a
 * reference measured in the same run under the same load:
 * - accept latency: 16 clients POST /v1/fixes at once, alternating with the same request to a bare
 *   `node:http` server (also a child process), while the sessions they start run;
 * - throughput: 40 verify-mode sessions at once (baseline + 2 candidates = 3 sandbox runs each),
 *   alternating with the two-core reference: the same 3 harness runs per session with the bare
 *   interpreter, 2 at a time, so sessions/minute if two cores did nothing else.
 */

const PYTHON = '/usr/bin/python3';
const CLIENTS = 16;
const REQUESTS_PER_CLIENT = 24;
const SESSIONS = 40;
const REPEATS = 3;
/** Open-loop accepts per second to each side, below what the stack serves flat out (≈ 90/s). */
export const OPEN_LOOP_RATE = 40;
export const OPEN_LOOP_SECONDS = 8;
/** POSTs each client sends to the warmed stack before accept latency is measured. */
const ACCEPT_WARMUP_PER_CLIENT = 10;
/** Batches of SESSIONS each stack serves before it is measured. */
export const WARMUP_BATCHES = 8;

const PROGRAM = 'def mean(xs):\n    return sum(xs) / len(xs) + 1\n';
const TEST = 'from program import mean\nassert mean([1, 2, 3]) == 2\n';
const WRONG = 'def mean(xs):\n    return sum(xs) / (len(xs) + 1)\n';
const RIGHT = 'def mean(xs):\n    return sum(xs) / len(xs)\n';
const FIX_BODY = JSON.stringify({ code: PROGRAM, test: TEST, candidates: [WRONG, RIGHT] });

export interface LatencyFigures {
  stack: { p50: number; p99: number; count: number };
  /** Wall time of the measured requests (both sides). */
  wallMs: number;
  bare: { p50: number; p99: number; count: number };
}

export interface ThroughputFigures {
  /** Sessions per minute, median of the repeats. */
  stack: number;
  reference: number;
  runs: number[];
  references: number[];
}

export interface LoadResult {
  containment: string;
  latency: LatencyFigures;
  /** The same POSTs sent open-loop at OPEN_LOOP_RATE per second to each side. */
  atRate: LatencyFigures;
  throughput: ThroughputFigures;
  /** Measured over the throughput runs, per session. */
  breakdown: StackStats;
  /** Measured over the accept-latency run. */
  accept: StackStats;
}

interface Child {
  process: ChildProcess;
  ready: Record<string, unknown>;
  call: (type: string) => Promise<Record<string, unknown>>;
}

function startChild(file: string): Promise<Child> {
  // BENCH_CPU_PROF=dir writes a CPU profile of each child there (for finding where the time goes).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', file], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  });
  let next = 0;
  const waiting = new Map<number, (value: Record<string, unknown>) => void>();
  // A child that dies takes the bench down with it, rather than leaving it waiting.
  child.once('exit', (code, signal) => {
    if (waiting.size > 0 || code !== 0) {
      console.error(`${file} exited (${signal ?? code})`);
      process.exit(1);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'ready') {
        resolve({
          process: child,
          ready: message,
          call: (type) =>
            new Promise((done) => {
              next += 1;
              waiting.set(next, done);
              child.send({ type, id: next });
            }),
        });
        return;
      }
      const id = message.id as number;
      waiting.get(id)?.(message);
      waiting.delete(id);
    });
  });
}

function post(agent: Agent, url: string, body: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.once('end', () => {
          if (response.statusCode !== 202) reject(new Error(`${url} answered ${response.statusCode}`));
          else resolve(performance.now() - started);
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)] ?? 0;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

/**
 * 16 clients, each sending the same verify-mode request alternately to the stack and to the bare
 * server (which goes first alternates by client), so both see the same sessions running.
 */
async function acceptLatency(stackUrl: string, bareUrl: string): Promise<LatencyFigures> {
  const stackAgent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const bareAgent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const stack: number[] = [];
  const bare: number[] = [];
  const fixes = `${stackUrl}/v1/fixes`;
  const bareFixes = `${bareUrl}/v1/fixes`;
  // Warm-up: connections, first requests; the sessions they start are the load that follows.
  await Promise.all(
    Array.from({ length: CLIENTS }, () =>
      Promise.all([post(stackAgent, fixes, FIX_BODY), post(bareAgent, bareFixes, FIX_BODY)]),
    ),
  );
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i += 1) {
        if ((client + i) % 2 === 0) {
          stack.push(await post(stackAgent, fixes, FIX_BODY));
          bare.push(await post(bareAgent, bareFixes, FIX_BODY));
        } else {
          bare.push(await post(bareAgent, bareFixes, FIX_BODY));
          stack.push(await post(stackAgent, fixes, FIX_BODY));
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  stackAgent.destroy();
  bareAgent.destroy();
  return latencyFigures(stack, bare, wallMs);
}

function latencyFigures(stack: number[], bare: number[], wallMs: number): LatencyFigures {
  const figures = (ms: number[]) => ({ p50: percentile(ms, 50), p99: percentile(ms, 99), count: ms.length });
  return { wallMs, stack: figures(stack), bare: figures(bare) };
}

/**
 * Open loop: a POST to each side every 1/rate s for `seconds`, each timed from when it is sent,
 * whether or not the previous ones have been answered, as independent users would send them.
 */
async function acceptAtRate(
  stackUrl: string,
  bareUrl: string,
  rate: number,
  seconds: number,
): Promise<LatencyFigures> {
  const stackAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const bareAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const stack: Promise<number>[] = [];
  const bare: Promise<number>[] = [];
  const period = 1000 / rate;
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i += 1) {
    const due = started + i * period;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Which side is sent first alternates, so neither is always the one that waits for the other.
    const pair = [
      () => stack.push(post(stackAgent, `${stackUrl}/v1/fixes`, FIX_BODY)),
      () => bare.push(post(bareAgent, `${bareUrl}/v1/fixes`, FIX_BODY)),
    ];
    for (const send of i % 2 === 0 ? pair : pair.reverse()) send();
  }
  const [stackMs, bareMs] = await Promise.all([Promise.all(stack), Promise.all(bare)]);
  const wallMs = performance.now() - started;
  stackAgent.destroy();
  bareAgent.destroy();
  return latencyFigures(stackMs, bareMs, wallMs);
}

async function warmAccepts(stackUrl: string, perClient: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < perClient; i += 1) await post(agent, `${stackUrl}/v1/fixes`, FIX_BODY);
    }),
  );
  agent.destroy();
}

async function stackSessions(wsUrl: string): Promise<number> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: SESSIONS }, () =>
      requestFix({
        url: wsUrl,
        request: { code: PROGRAM, test: TEST, candidates: [WRONG, RIGHT] },
        timeoutMs: 120_000,
      }),
    ),
  );
  const minutes = (performance.now() - started) / 60_000;
  const notVerified = results.find((result) => result.status !== 'verified');
  if (notVerified) throw new Error(`bench session ended ${notVerified.status}: ${notVerified.reason}`);
  return SESSIONS / minutes;
}

function runHarness(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['reproduce_issue.py'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', () => resolve());
  });
}

/** The same 3 harness runs per session with the bare interpreter, two at a time: sessions/minute. */
async function twoCoreReference(dirs: string[]): Promise<number> {
  const runs = Array.from({ length: SESSIONS * dirs.length }, (_, i) => dirs[i % dirs.length] ?? '');
  const started = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < runs.length) {
        const dir = runs[next] ?? '';
        next += 1;
        await runHarness(dir);
      }
    }),
  );
  return SESSIONS / ((performance.now() - started) / 60_000);
}

export async function loadBench(): Promise<LoadResult> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const [first, bare] = await Promise.all([
    startChild(join(here, 'stack-child.ts')),
    startChild(join(here, 'bare-server.ts')),
  ]);
  const work = await mkdtemp(join(tmpdir(), 'te-bench-ref-'));
  let stack = first;
  try {
    const dirs: string[] = [];
    for (const [i, code] of [PROGRAM, WRONG, RIGHT].entries()) {
      const dir = join(work, String(i));
      await mkdir(dir);
      await writeFile(join(dir, 'program.py'), code);
      await writeFile(join(dir, 'reproduce_issue.py'), TEST);
      dirs.push(dir);
    }
    // As for throughput below: the figure is the steady state, so the stack first serves the same
    // warm-up sessions and a round of accepts, and every session they started has ended.
    for (let i = 0; i < WARMUP_BATCHES; i += 1) await stackSessions(String(stack.ready.wsUrl));
    await warmAccepts(String(stack.ready.httpUrl), ACCEPT_WARMUP_PER_CLIENT);
    await stack.call('drain');
    await stack.call('reset');
    const latency = await acceptLatency(String(stack.ready.httpUrl), String(bare.ready.httpUrl));
    const { stats: acceptStats } = (await stack.call('stats')) as unknown as { stats: StackStats };
    const atRate = await acceptAtRate(
      String(stack.ready.httpUrl),
      String(bare.ready.httpUrl),
      OPEN_LOOP_RATE,
      OPEN_LOOP_SECONDS,
    );
    // The accepted sessions would take a minute to finish: a fresh stack measures the throughput.
    await stack.call('close');
    stack = await startChild(join(here, 'stack-child.ts'));

    // Warm-up of both sides, then alternate so drift on the machine hits both alike. A server runs
    // for hours: its figure is the steady state, once V8 has compiled the hot paths (on a fresh
    // stack about a fifth of its CPU goes to the optimizing compiler over the first few hundred
    // sessions), so the stack serves WARMUP_BATCHES batches before it is measured.
    await twoCoreReference(dirs);
    for (let i = 0; i < WARMUP_BATCHES; i += 1) await stackSessions(String(stack.ready.wsUrl));
    const runs: number[] = [];
    const references: number[] = [];
    await stack.call('reset');
    for (let i = 0; i < REPEATS; i += 1) {
      references.push(await twoCoreReference(dirs));
      runs.push(await stackSessions(String(stack.ready.wsUrl)));
    }
    await stack.call('drain');
    const { stats } = (await stack.call('stats')) as unknown as { stats: StackStats };
    return {
      containment: String(stack.ready.containment),
      latency,
      atRate,
      throughput: { stack: median(runs), reference: median(references), runs, references },
      breakdown: stats,
      accept: acceptStats,
    };
  } finally {
    await Promise.allSettled([stack.call('close'), bare.call('close')]);
    await rm(work, { recursive: true, force: true });
  }
}

/** The per-session breakdown as printable rows. */
export function breakdownRows(stats: StackStats): string[] {
  const n = Math.max(1, stats.sessions);
  const rows: string[] = [];
  const entries = Object.entries(stats.stages).sort((a, b) => b[1].ms - a[1].ms);
  const width = Math.max(...entries.map(([name]) => name.length), 34);
  rows.push(`${'stage (per session)'.padEnd(width)}  ${'calls'.padStart(6)}  ${'ms'.padStart(8)}`);
  for (const [name, { count, ms }] of entries) {
    rows.push(
      `${name.padEnd(width)}  ${(count / n).toFixed(1).padStart(6)}  ${(ms / n).toFixed(1).padStart(8)}`,
    );
  }
  const dynalite = entries.filter(([name]) => name.startsWith('dynalite '));
  const artifacts = entries.filter(([name]) => name.startsWith('artifact '));
  const acount = artifacts.reduce((sum, [, s]) => sum + s.count, 0);
  const ams = artifacts.reduce((sum, [, s]) => sum + s.ms, 0);
  const calls = dynalite.reduce((sum, [, s]) => sum + s.count, 0);
  const dms = dynalite.reduce((sum, [, s]) => sum + s.ms, 0);
  rows.push(
    `${'dynalite, all calls'.padEnd(width)}  ${(calls / n).toFixed(1).padStart(6)}  ${(dms / n).toFixed(1).padStart(8)}`,
  );
  rows.push(
    `${'artifact store, all calls'.padEnd(width)}  ${(acount / n).toFixed(1).padStart(6)}  ${(ams / n).toFixed(1).padStart(8)}`,
    `${'state machine: no Task running'.padEnd(width)}  ${''.padStart(6)}  ${(stats.idleMs / n).toFixed(1).padStart(8)}`,
    `${'session span (first Task to last)'.padEnd(width)}  ${''.padStart(6)}  ${(stats.spanMs / n).toFixed(1).padStart(8)}`,
    `${'CPU: stack process'.padEnd(width)}  ${''.padStart(6)}  ${(stats.cpuMs.stack / n).toFixed(1).padStart(8)}`,
    ...Object.entries(stats.cpuMs.helpers).map(
      ([name, ms]) =>
        `${`CPU: ${name}`.padEnd(width)}  ${''.padStart(6)}  ${(ms / n).toFixed(1).padStart(8)}`,
    ),
    `${'CPU: sandboxes (children)'.padEnd(width)}  ${''.padStart(6)}  ${(stats.cpuMs.children / n).toFixed(1).padStart(8)}`,
    `event-loop delay of the stack: p50 ${stats.eventLoopDelayMs.p50.toFixed(1)} ms, p99 ${stats.eventLoopDelayMs.p99.toFixed(1)} ms, max ${stats.eventLoopDelayMs.max.toFixed(1)} ms`,
  );
  return rows;
}

/** What one accepted POST spent its time on (the accept run's sessions keep running behind it). */
export function acceptRows(stats: StackStats, requests: number): string[] {
  // The API's functions run in a process of their own; the gateway's invocation is timed in the stack.
  const per = (name: string) =>
    Object.entries(stats.stages)
      .filter(([stage]) => stage.startsWith(`${name} [`) && /\[(stack|http-api\b[^\]]*)\]$/.test(stage))
      .reduce<StageTotals | undefined>(
        (sum, [, s]) => ({ count: (sum?.count ?? 0) + s.count, ms: (sum?.ms ?? 0) + s.ms }),
        undefined,
      );
  const rows = [`${'stage (per POST /v1/fixes)'.padEnd(34)}  ${'ms'.padStart(8)}`];
  for (const name of ['invoke http-api', 'artifact put', 'dynalite Put', 'sfn StartExecution']) {
    const s = per(name);
    if (!s) continue;
    // The API process's calls of each kind: the accepts' (POST and WebSocket) and GETs.
    const whole = name === 'invoke http-api';
    const label = whole ? 'http-api handler, per POST' : `${name}, mean per call`;
    const ms = whole ? s.ms / requests : s.ms / s.count;
    rows.push(`${label.padEnd(34)}  ${ms.toFixed(1).padStart(8)}`);
  }
  // CPU over the run, per POST, by process: the accepts' own work and that of the sessions they
  // started (run below the API's priority) together; the machine has two cores' worth per second.
  const cpu: [string, number][] = [
    ['stack process (gateway, state machine)', stats.cpuMs.stack],
    ...Object.entries(stats.cpuMs.helpers).map(([name, ms]): [string, number] => [
      name.replace(/ \{.*\}$/, ''),
      ms,
    ]),
  ];
  const all = cpu.reduce((sum, [, ms]) => sum + ms, 0);
  rows.push(`${'CPU over the run, per POST'.padEnd(34)}  ${(all / requests).toFixed(1).padStart(8)}`);
  for (const [name, ms] of cpu.sort((a, b) => b[1] - a[1])) {
    if (ms / requests >= 0.05) rows.push(`  ${name.padEnd(32)}  ${(ms / requests).toFixed(1).padStart(8)}`);
  }
  rows.push(
    `event-loop delay of the stack: p50 ${stats.eventLoopDelayMs.p50.toFixed(1)} ms, p99 ${stats.eventLoopDelayMs.p99.toFixed(1)} ms, max ${stats.eventLoopDelayMs.max.toFixed(1)} ms`,
  );
  return rows;
}
