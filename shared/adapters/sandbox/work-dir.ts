import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A fresh private dir under the work root, for one run. */
export function makeWorkDir(workRoot: string): Promise<string> {
  return mkdtemp(join(workRoot, 'run-'));
}

/** The job's files, created (never overwritten) in its work dir, owned by the run's uid if it has one. */
export async function writeFiles(
  workdir: string,
  files: Record<string, string>,
  uid?: number,
): Promise<void> {
  await Promise.all(
    Object.entries(files).map(async ([name, content]) => {
      const path = join(workdir, name);
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      if (uid !== undefined) await chown(path, uid, uid);
    }),
  );
  if (uid !== undefined) await chown(workdir, uid, uid);
}

/** Removes a work dir even when the program took the permissions off its own subdirectories. */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    await restorePermissions(path);
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function restorePermissions(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => restorePermissions(join(dir, e.name))));
}
