import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The lock dir every runner on the host shares (the Python runner's and the browser's, whatever their work roots). */
export const DEFAULT_UID_LOCK_DIR = join(tmpdir(), 'te-sandbox', 'uids');

/**
 * Hands out a distinct uid to each concurrent run, across every process on the host that uses the
 * same lock dir: "kill every process of the run's uid" is only safe when no one else has that uid.
 * A lock is a file created exclusively and holding the owner's pid; a dead owner's lock is taken over.
 *
 * A uid whose run is over (and cleaned up: nothing of it runs) stays locked by this process for its
 * next run, so a run costs no lock files once the pool is warm. The lock files are tiny and local:
 * written synchronously, at a fraction of the cost of the thread pool's round trips.
 */
export class UidPool {
  /** Uids this process holds locked with no run on them. */
  private readonly idle: number[] = [];

  constructor(
    private readonly lockDir: string,
    private readonly base: number,
    private readonly size: number,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.lockDir, { recursive: true, mode: 0o700 });
  }

  async acquire(): Promise<number> {
    const held = this.idle.pop();
    if (held !== undefined) return held;
    for (let attempt = 0; attempt < 200; attempt++) {
      const offset = Math.floor(Math.random() * this.size);
      for (let i = 0; i < this.size; i++) {
        const uid = this.base + ((offset + i) % this.size);
        if (await this.tryLock(uid)) return uid;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no free sandbox uid in ${this.base}..${this.base + this.size - 1}`);
  }

  /** The run on `uid` is over and nothing of it is left: the uid is this process's for its next run. */
  async release(uid: number): Promise<void> {
    this.idle.push(uid);
  }

  private lockPath(uid: number): string {
    return join(this.lockDir, String(uid));
  }

  private async tryLock(uid: number): Promise<boolean> {
    const path = this.lockPath(uid);
    if (this.tryCreate(path)) return true;
    const owner = Number(readOwner(path));
    if (!(owner > 0) || isAlive(owner)) return false;
    // A crashed owner's lock. Two takers racing for the same stale lock is the one window left:
    // each re-reads after creating, and only the one whose pid stayed in the file keeps it.
    try {
      unlinkSync(path);
    } catch {
      // another taker removed it first
    }
    if (!this.tryCreate(path)) return false;
    return Number(readOwner(path)) === process.pid;
  }

  private tryCreate(path: string): boolean {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch {
      return false;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    return true;
  }
}

function readOwner(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
