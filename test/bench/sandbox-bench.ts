import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';

export interface BenchRow {
  name: string;
  ms: number;
  ratio: number;
  /** CPU of this process and everything it started, per run (10 ms clock ticks, summed over every run). */
  cpuMs?: number;
}

const ITERATIONS = 30;
const PYTHON = '/usr/bin/python3';
const RUN_UID = '65534';

interface Variant {
  name: string;
  run: () => Promise<void>;
}

function exec(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
  });
}

/** Fields of /proc/<pid>/stat after the command name (so `state`, field 3, is at 0). */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU of this process, of the children it reaped (fresh interpreters) and of its live children
 * with what they reaped (the warm interpreter and its job processes), in ms.
 */
function treeCpuMs(): number {
  const ticks = (f: string[]) => Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  let total = ticks(statFields('self'));
  for (const task of readdirSync('/proc/self/task')) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of children.map(Number)) {
      try {
        total += ticks(statFields(pid));
      } catch {
        // it ended while being read (and is then in this process's own count)
      }
    }
  }
  return total * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Each containment layer added in turn to a `pass` program, measured side by side (interleaved,
 * median of 30), as a ratio of the bare interpreter. The exec-chain rows show what each layer costs
 * as a separate tool; the runner rows do the same work inside one interpreter start.
 */
export async function sandboxBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'te-bench-'));
  try {
    await writeFile(join(dir, 'pass.py'), 'pass\n', { mode: 0o644 });
    await chmod(dir, 0o755); // the dropped uid must reach the file
    const py = [PYTHON, 'pass.py'];
    const limits = [
      'prlimit',
      '--cpu=11',
      '--as=1073741824',
      '--fsize=67108864',
      '--nofile=256',
      '--nproc=64',
    ];
    const drop = ['setpriv', `--reuid=${RUN_UID}`, `--regid=${RUN_UID}`, '--clear-groups', '--no-new-privs'];
    const isRoot = process.getuid?.() === 0;
    const runner = await createLocalSandboxRunner({ warm: false });
    const warm = await createLocalSandboxRunner();
    const warmName = warm.capabilities().layers.includes('warm-interpreter')
      ? 'warm'
      : 'fresh (no warm here)';
    const passJob = (checked: string[]) => ({
      files: { 'pass.py': 'pass\n' },
      entry: 'pass.py',
      checked,
      timeoutMs: 10_000,
    });
    const variants: Variant[] = [
      { name: 'bare python pass.py', run: () => exec(py[0] ?? PYTHON, py.slice(1), dir) },
      { name: '+ rlimits (prlimit)', run: () => exec('prlimit', [...limits.slice(1), ...py], dir) },
    ];
    if (isRoot) {
      variants.push(
        { name: '+ no network (unshare -n)', run: () => exec('unshare', ['-n', ...limits, ...py], dir) },
        { name: '+ uid drop (setpriv)', run: () => exec('unshare', ['-n', ...drop, ...limits, ...py], dir) },
        {
          name: '+ pid/mount ns (unshare -p -f)',
          run: () =>
            exec(
              'unshare',
              ['-n', '-p', '-f', '--kill-child', '--mount-proc', ...drop, ...limits, ...py],
              dir,
            ),
        },
      );
    }
    variants.push(
      {
        name: `runner [${runner.capabilities().level}], nothing checked`,
        run: async () => assertPassed(await runner.run(passJob([]))),
      },
      {
        name: `runner [${runner.capabilities().level}] + policy check (full)`,
        run: async () => assertPassed(await runner.run(passJob(['pass.py']))),
      },
      {
        name: `runner [${warm.capabilities().level}] ${warmName}, nothing checked`,
        run: async () => assertPassed(await warm.run(passJob([]))),
      },
      {
        name: `runner [${warm.capabilities().level}] ${warmName} + policy check (full)`,
        run: async () => assertPassed(await warm.run(passJob(['pass.py']))),
      },
    );
    const samples = variants.map(() => [] as number[]);
    const cpu = variants.map(() => 0);
    for (const v of variants) await v.run(); // warm caches once
    for (let i = 0; i < ITERATIONS; i++) {
      for (const [index, v] of variants.entries()) {
        const cpuBefore = treeCpuMs();
        const start = performance.now();
        await v.run();
        samples[index]?.push(performance.now() - start);
        cpu[index] = (cpu[index] ?? 0) + treeCpuMs() - cpuBefore;
      }
    }
    const bare = median(samples[0] ?? []);
    return variants.map((v, i) => {
      const ms = median(samples[i] ?? []);
      return {
        name: v.name,
        ms: Math.round(ms * 10) / 10,
        ratio: Math.round((ms / bare) * 100) / 100,
        cpuMs: Math.round(((cpu[i] ?? 0) / ITERATIONS) * 10) / 10,
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertPassed(result: { status: string; reason?: string }): void {
  if (result.status !== 'passed') throw new Error(`bench run ${result.status}: ${result.reason ?? ''}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await sandboxBench();
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(
    `${'layer'.padEnd(width)}  ${'median ms'.padStart(9)}  ${'× bare'.padStart(6)}  ${'CPU ms'.padStart(6)}`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(9)}  ${r.ratio.toFixed(2).padStart(6)}  ${(r.cpuMs ?? 0).toFixed(1).padStart(6)}`,
    );
}
