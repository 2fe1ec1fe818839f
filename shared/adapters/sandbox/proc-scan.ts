import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Every pid in /proc. */
async function pids(): Promise<number[]> {
  const entries = await readdir('/proc');
  const out: number[] = [];
  for (const e of entries) {
    const n = Number(e);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function realUid(status: string): number | null {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m?.[1] !== undefined ? Number(m[1]) : null;
}

/** Processes whose real uid is `uid`. */
export async function processesOfUid(uid: number): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(
    (await pids()).map(async (pid) => {
      const status = await readText(`/proc/${pid}/status`);
      if (status !== null && realUid(status) === uid) out.push(pid);
    }),
  );
  return out;
}

/** Threads (the unit RLIMIT_NPROC counts) belonging to `uid`. */
export async function tasksOfUid(uid: number): Promise<number> {
  let total = 0;
  await Promise.all(
    (await pids()).map(async (pid) => {
      const status = await readText(`/proc/${pid}/status`);
      if (status === null || realUid(status) !== uid) return;
      const m = /^Threads:\s+(\d+)/m.exec(status);
      total += m?.[1] !== undefined ? Number(m[1]) : 1;
    }),
  );
  return total;
}

/** Processes whose command line or environment mentions `marker`. */
export async function processesMentioning(marker: string): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(
    (await pids()).map(async (pid) => {
      if (pid === process.pid) return;
      for (const file of ['cmdline', 'environ']) {
        const text = await readText(`/proc/${pid}/${file}`);
        if (text?.includes(marker)) {
          out.push(pid);
          return;
        }
      }
    }),
  );
  return out;
}

function killAll(list: number[]): void {
  for (const pid of list) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, or not ours to signal
    }
  }
}

/** Kills every process of `uid`, repeating while a fork races the scan. */
export async function killProcessesOfUid(uid: number): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const found = await processesOfUid(uid);
    if (found.length === 0) return;
    killAll(found);
  }
}

export async function killProcessesMentioning(marker: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const found = await processesMentioning(marker);
    if (found.length === 0) return;
    killAll(found);
  }
}

/** World-writable places a program could leave files in, outside its work dir. */
export const WORLD_WRITABLE_DIRS: readonly string[] = [
  '/tmp',
  '/var/tmp',
  '/dev/shm',
  '/run/lock',
  '/dev/mqueue',
];

/**
 * Removes what `uid` left at the top of the world-writable dirs. Anything deeper sits inside an
 * entry the uid created (it cannot create entries in other users' dirs), so the top is enough.
 */
export async function sweepFilesOfUid(
  uid: number,
  dirs: readonly string[] = WORLD_WRITABLE_DIRS,
): Promise<number> {
  let removed = 0;
  await Promise.all(
    dirs.map(async (dir) => {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        return;
      }
      await Promise.all(
        entries.map(async (name) => {
          const path = join(dir, name);
          try {
            if ((await lstat(path)).uid !== uid) return;
            await rm(path, { recursive: true, force: true });
            removed++;
          } catch {
            // raced with its own removal
          }
        }),
      );
    }),
  );
  return removed;
}

/** What a shared uid already owns at the top of some dirs before a run: `dir` → `name#inode`. */
export type OwnedSnapshot = Map<string, Set<string>>;

/** Where a run at a shared-uid level can leave files: the world-writable dirs. */
export const SHARED_UID_SWEEP_DIRS: readonly string[] = ['/tmp', '/var/tmp', '/dev/shm'];

async function ownedEntries(
  dir: string,
  uid: number,
): Promise<Array<{ key: string; path: string; ctimeMs: number }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: Array<{ key: string; path: string; ctimeMs: number }> = [];
  await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      try {
        const s = await lstat(path);
        if (s.uid === uid) out.push({ key: `${name}#${s.ino}`, path, ctimeMs: s.ctimeMs });
      } catch {
        // gone meanwhile
      }
    }),
  );
  return out;
}

/** The entries `uid` owns at the top of `dirs` now. */
export async function snapshotOwned(uid: number, dirs: readonly string[]): Promise<OwnedSnapshot> {
  const snapshot: OwnedSnapshot = new Map();
  await Promise.all(
    dirs.map(async (dir) => {
      snapshot.set(dir, new Set((await ownedEntries(dir, uid)).map((e) => e.key)));
    }),
  );
  return snapshot;
}

/**
 * For a run that shares the runner's uid: removes what that uid created at the top of the
 * snapshot's dirs since `sinceMs` and did not own before, except the paths in `keep` (the runner's
 * own work dirs). Returns the paths removed.
 */
export async function sweepNewOwned(
  uid: number,
  before: OwnedSnapshot,
  sinceMs: number,
  keep: ReadonlySet<string>,
  remove: (path: string) => Promise<void> = (path) => rm(path, { recursive: true, force: true }),
): Promise<string[]> {
  const removed: string[] = [];
  await Promise.all(
    [...before].map(async ([dir, known]) => {
      for (const entry of await ownedEntries(dir, uid)) {
        // ctime cannot be set back by a program; a second of slack for coarse timestamps.
        if (known.has(entry.key) || keep.has(entry.path) || entry.ctimeMs < sinceMs - 1000) continue;
        await remove(entry.path).catch(() => undefined);
        removed.push(entry.path);
      }
    }),
  );
  return removed;
}
