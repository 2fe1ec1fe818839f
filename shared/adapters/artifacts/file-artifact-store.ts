import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ArtifactStore } from '../../ports/artifact-store.js';

/**
 * Up to this size an artifact is written in one synchronous step (reads always are): a small file on
 * a local disk costs a fraction of a millisecond that way, where the promise API takes four or five
 * trips through the thread pool and the event loop, each waiting its turn behind everything else
 * the process is doing. Larger bodies are written through the thread pool.
 */
const SYNC_BYTES = 256 * 1024;

/** Local stand-in for the artifact bucket: one file per key under a root directory. */
export class FileArtifactStore implements ArtifactStore {
  private readonly root: string;
  /** Dirs this store made (or found) already: a put into one needs no mkdir. */
  private readonly dirs = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: string): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    // Write then rename so a reader never sees half a file.
    const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
    if (body.length <= SYNC_BYTES) {
      this.retryingInDir(dir, () => writeFileSync(partial, body, 'utf8'));
      renameSync(partial, path);
      return;
    }
    if (!this.dirs.has(dir)) await this.makeDir(dir);
    try {
      await writeFile(partial, body, 'utf8');
    } catch (error) {
      // The dir went away since (someone cleaned up): make it again, once.
      if (!isMissing(error)) throw error;
      await this.makeDir(dir);
      await writeFile(partial, body, 'utf8');
    }
    await rename(partial, path);
  }

  async get(key: string): Promise<string | undefined> {
    const path = this.pathOf(key);
    try {
      // One read (artifacts are capped at a few MiB: code and logs at 1 MiB each).
      return readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private retryingInDir(dir: string, write: () => void): void {
    if (!this.dirs.has(dir)) this.makeDirSync(dir);
    try {
      write();
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.makeDirSync(dir);
      write();
    }
  }

  private makeDirSync(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  private async makeDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.dirs.add(dir);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`artifact key escapes the store: ${key}`);
    return path;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
