import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Hands out a distinct uid to each concurrent run, across every process on the host that uses the
 * same lock dir: "kill every process of the run's uid" is only safe when no one else has that uid.
 * A lock is a file created exclusively and holding the owner's pid; a dead owner's lock is taken over.
 */
export class UidPool {
  constructor(
    private readonly lockDir: string,
    private readonly base: number,
    private readonly size: number,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.lockDir, { recursive: true, mode: 0o700 });
  }

  async acquire(): Promise<number> {
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

  async release(uid: number): Promise<void> {
    await unlink(this.lockPath(uid)).catch(() => undefined);
  }

  private lockPath(uid: number): string {
    return join(this.lockDir, String(uid));
  }

  private async tryLock(uid: number): Promise<boolean> {
    const path = this.lockPath(uid);
    if (await this.tryCreate(path)) return true;
    const owner = Number(await readFile(path, 'utf8').catch(() => ''));
    if (!(owner > 0) || isAlive(owner)) return false;
    // A crashed owner's lock. Two takers racing for the same stale lock is the one window left:
    // each re-reads after creating, and only the one whose pid stayed in the file keeps it.
    await unlink(path).catch(() => undefined);
    if (!(await this.tryCreate(path))) return false;
    return Number(await readFile(path, 'utf8').catch(() => '')) === process.pid;
  }

  private async tryCreate(path: string): Promise<boolean> {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch {
      return false;
    }
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
