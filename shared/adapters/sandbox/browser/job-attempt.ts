import { readdir, readFile } from 'node:fs/promises';
import { killProcessesMentioning, killProcessesOfUid } from '../proc-scan.js';

export type StopKind = 'timeout' | 'crashed';

/** Raised into every pending step of a job once it is stopped. */
export class JobStoppedError extends Error {
  constructor(readonly kind: StopKind) {
    super(`job stopped: ${kind}`);
    this.name = 'JobStoppedError';
  }
}

/** Messages Playwright gives when the browser or the page under a pending call is gone. */
const GONE =
  /Target crashed|Target page, context or browser has been closed|Browser has been closed|browser has disconnected/i;

/**
 * One job's browser process tree: stops it (the wall clock, a crash) by killing the whole tree —
 * the wrapper's process group and, at `ns`, every process of the job's uid; where the browser
 * shares this process's uid (`process`), the group again until it is empty and, as a backstop,
 * whatever still names the job's dir — and makes every step still waiting on the browser fail at
 * once instead of hanging.
 */
export class JobAttempt {
  stopKind: StopKind | undefined;
  stopReason: string | undefined;
  /** Set before a deliberate close, so the browser's exit is not taken for a crash. */
  closing = false;
  private readonly stopped: Promise<never>;
  private rejectStopped: (error: Error) => void = () => undefined;
  private killing: Promise<void> | undefined;

  constructor(
    private readonly pidFile: string,
    private readonly uid: number | undefined,
    /** The job's dir, at the level where no uid of its own tells its processes apart. */
    private readonly marker?: string,
  ) {
    this.stopped = new Promise<never>((_, reject) => {
      this.rejectStopped = reject;
    });
    this.stopped.catch(() => undefined);
  }

  /** Waits for `step`, unless the job is stopped first. */
  guard<T>(step: Promise<T>): Promise<T> {
    step.catch(() => undefined);
    return Promise.race([step, this.stopped]);
  }

  stop(kind: StopKind, reason: string): void {
    if (this.stopKind !== undefined) return;
    this.stopKind = kind;
    this.stopReason = reason;
    this.rejectStopped(new JobStoppedError(kind));
    void this.killTree();
  }

  /** Whether an error from a browser call means the job is over (and stops it as crashed if so). */
  isFatal(error: unknown): boolean {
    if (this.stopKind !== undefined || error instanceof JobStoppedError) return true;
    if (error instanceof Error && GONE.test(error.message)) {
      this.stop('crashed', 'the browser or the page went away (out of memory, or a renderer fault)');
      return true;
    }
    return false;
  }

  /** Kills everything the job started; safe to call more than once. */
  killTree(): Promise<void> {
    this.killing ??= this.kill().finally(() => {
      this.killing = undefined;
    });
    return this.killing;
  }

  private async kill(): Promise<void> {
    const pid = Number((await readFile(this.pidFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 1) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      // At `ns` the wrapper is `unshare --kill-child`: once it is gone, the kernel has killed and
      // reaped the whole pid namespace, so the uid sweep below finds nothing instead of zombies.
      await exited(pid, 2000);
      // The filter at `process` keeps every browser process in this group; a fork racing the
      // first kill is caught here.
      if (this.marker !== undefined) await killGroup(pid).catch(() => undefined);
    }
    if (this.uid !== undefined) await killProcessesOfUid(this.uid).catch(() => undefined);
    if (this.marker !== undefined) await killProcessesMentioning(this.marker).catch(() => undefined);
  }
}

/** Kills the members of process group `group` until none is left (bounded). */
async function killGroup(group: number): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const members = await groupMembers(group);
    if (members.length === 0) return;
    for (const pid of members) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((done) => setTimeout(done, 10));
  }
}

/** Live (not zombie) processes whose process group is `group`. */
export async function groupMembers(group: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === group) found.push(pid);
  }
  return found;
}

async function exited(pid: number, withinMs: number): Promise<void> {
  const until = performance.now() + withinMs;
  while (performance.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((done) => setTimeout(done, 10));
  }
}
