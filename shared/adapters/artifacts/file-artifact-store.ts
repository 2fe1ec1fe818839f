import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ArtifactStore } from '../../ports/artifact-store.js';

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
    if (!this.dirs.has(dir)) await this.makeDir(dir);
    try {
      await writeFile(partial, body, 'utf8');
    } catch (error) {
      // The dir went away since (someone cleaned up): make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await this.makeDir(dir);
      await writeFile(partial, body, 'utf8');
    }
    await rename(partial, path);
  }

  private async makeDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.dirs.add(dir);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`artifact key escapes the store: ${key}`);
    return path;
  }
}
