import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { constants } from 'node:os';

/** One run for the warm interpreter: what a fresh start would have been given. */
export interface ForkRequest {
  cwd: string;
  env: Record<string, string>;
  python: string;
  bootScript: string;
  bootArgs: readonly string[];
  /** Whether the run gets a stdin socket (the original program); otherwise /dev/null. */
  stdin: boolean;
}

/** How the job process (the fresh start's outermost process) ended. */
export interface ForkEnding {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the warm interpreter ended during the run, so no status came. */
  lost?: string;
}

/** A started job: its streams (as a spawned child's stdio) and its process group. */
export interface ForkJob {
  pid: number;
  stdin?: Socket;
  stdout: Socket;
  stderr: Socket;
  report: Socket;
  ended: Promise<ForkEnding>;
}

interface Pending {
  request: ForkRequest;
  streams: Partial<Record<'stdin' | 'stdout' | 'stderr' | 'report', Socket>>;
  retried: boolean;
  pid?: number;
  started: { resolve: (job: ForkJob) => void; reject: (error: Error) => void };
  ended?: (ending: ForkEnding) => void;
}

/** The server's environment: what Python reads at start-up, with the values every run has. */
const STARTUP_VARIABLES = [
  'PATH',
  'LANG',
  'LC_ALL',
  'PYTHONDONTWRITEBYTECODE',
  'PYTHONIOENCODING',
  'PYTHONUNBUFFERED',
  'PYTHONNOUSERSITE',
];

const SERVE = 'import te_sandbox_forkserver as s; s.serve()';
const STDERR_TAIL = 4096;

/**
 * The warm interpreter's runner side: one Python per runner, started on first use (and again
 * after it dies), with which runs start by a message instead of a spawn. It accepts requests only
 * over this process's IPC channel; each run's stdio comes back as sockets over that channel, so
 * nothing of a run passes through the server. A request the server never acknowledged is sent
 * again once to a new server; a run already started when the server died ends without a status
 * (a sandbox crash).
 */
export class ForkServer {
  private child: ChildProcess | undefined;
  private readonly jobs = new Map<string, Pending>();
  private nextId = 0;
  private stderrTail = '';

  constructor(
    private readonly python: string,
    private readonly runtimeDir: string,
    /** A run's environment: the server takes its start-up variables from it. */
    runEnv: Record<string, string>,
  ) {
    this.env = Object.fromEntries(
      STARTUP_VARIABLES.filter((k) => runEnv[k] !== undefined).map((k) => [k, runEnv[k] ?? '']),
    );
  }

  private readonly env: Record<string, string>;

  /** The server's pid while it runs (for tests that kill it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(request: ForkRequest): Promise<ForkJob> {
    return new Promise((resolve, reject) => {
      const id = String(this.nextId++);
      this.jobs.set(id, { request, streams: {}, retried: false, started: { resolve, reject } });
      this.send(id);
    });
  }

  /** Ends the server; runs in progress die with it (their processes have PDEATHSIG). */
  close(): void {
    this.child?.kill('SIGKILL');
  }

  private send(id: string): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    const child = this.server();
    child.channel?.ref();
    const r = job.request;
    const fields = [
      id,
      r.cwd,
      r.stdin ? '1' : '0',
      r.python,
      r.bootScript,
      String(r.bootArgs.length),
      ...r.bootArgs,
      ...Object.entries(r.env).map(([k, v]) => `${k}=${v}`),
    ];
    if (fields.some((f) => f.includes('\0'))) {
      this.fail(id, new Error('a request field holds a NUL byte'));
      return;
    }
    // A send that fails means the server is going: its exit retries what it never acknowledged.
    child.send(Buffer.from(fields.join('\0')).toString('hex'), () => undefined);
  }

  private server(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const child = spawn(this.python, ['-S', '-c', SERVE], {
      cwd: this.runtimeDir,
      env: this.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    this.stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('message', (message: unknown, handle: unknown) => this.onMessage(message, handle));
    child.once('error', () => undefined);
    child.once('exit', () => this.onExit(child));
    child.unref();
    return child;
  }

  private onMessage(message: unknown, handle: unknown): void {
    if (typeof message !== 'string') return;
    const [kind = '', id = '', ...rest] = message.split(':');
    const value = rest.join(':');
    const job = this.jobs.get(id);
    if (job === undefined) {
      // A handle for a run no one waits for any more: nothing may keep it open.
      (handle as Socket | undefined)?.destroy?.();
      return;
    }
    switch (kind) {
      case 'fd':
        if (value === 'stdin' || value === 'stdout' || value === 'stderr' || value === 'report')
          job.streams[value] = handle as Socket;
        return;
      case 'started':
        this.started(id, job, Number(value));
        return;
      case 'exit':
        this.ended(id, { exitCode: Number(value), signal: null });
        return;
      case 'signal':
        this.ended(id, { exitCode: null, signal: signalName(Number(value)) });
        return;
      case 'failed':
        this.fail(id, new Error(value));
        return;
    }
  }

  private started(id: string, job: Pending, pid: number): void {
    const { stdin, stdout, stderr, report } = job.streams;
    if (stdout === undefined || stderr === undefined || report === undefined) {
      this.fail(id, new Error('the warm interpreter started a run without its streams'));
      return;
    }
    job.pid = pid;
    const ended = new Promise<ForkEnding>((resolve) => {
      job.ended = resolve;
    });
    job.started.resolve({ pid, stdout, stderr, report, ended, ...(stdin ? { stdin } : {}) });
  }

  private ended(id: string, ending: ForkEnding): void {
    const job = this.jobs.get(id);
    this.jobs.delete(id);
    job?.ended?.(ending);
    this.idle();
  }

  private fail(id: string, error: Error): void {
    const job = this.jobs.get(id);
    this.jobs.delete(id);
    for (const s of Object.values(job?.streams ?? {})) s.destroy();
    job?.started.reject(error);
    this.idle();
  }

  /** With no run in flight the channel must not keep this process alive. */
  private idle(): void {
    if (this.jobs.size === 0) this.child?.channel?.unref();
  }

  private onExit(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = undefined;
    const why = `the warm interpreter ended${this.stderrTail ? ` (${this.stderrTail.trim().slice(-400)})` : ''}`;
    const retry: string[] = [];
    for (const [id, job] of this.jobs) {
      if (job.pid !== undefined) {
        // Started: its processes died with the server; what it reported still counts.
        this.jobs.delete(id);
        job.ended?.({ exitCode: null, signal: null, lost: why });
      } else if (!job.retried) {
        // Never acknowledged, so nothing of it ran: once more, on a new server.
        for (const s of Object.values(job.streams)) s.destroy();
        job.streams = {};
        job.retried = true;
        retry.push(id);
      } else {
        this.fail(id, new Error(why));
      }
    }
    for (const id of retry) this.send(id);
    this.idle();
  }
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

function signalName(signal: number): NodeJS.Signals | null {
  return SIGNAL_NAMES.get(signal) ?? null;
}
