import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UidPool } from '../../shared/adapters/sandbox/uid-pool.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'te-uids-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Class: UidPool (lock files on a real disk)', () => {
  it('hands concurrent runs distinct uids, each locked by a file naming this process', async () => {
    // Prepare
    const pool = new UidPool(dir, 1000, 8);
    await pool.init();

    // Act
    const uids = await Promise.all(Array.from({ length: 8 }, () => pool.acquire()));

    // Assess
    expect(new Set(uids).size).toBe(8);
    expect(uids.every((uid) => uid >= 1000 && uid < 1008)).toBe(true);
    for (const uid of uids) expect(await readFile(join(dir, String(uid)), 'utf8')).toBe(String(process.pid));
  });

  it('keeps a released uid for its own next run, and never lends it to another pool meanwhile', async () => {
    // Prepare: two pools on one lock dir, as two sandbox processes have.
    const mine = new UidPool(dir, 2000, 2);
    const theirs = new UidPool(dir, 2000, 2);
    await mine.init();

    // Act
    const first = await mine.acquire();
    await mine.release(first);
    const other = await theirs.acquire();
    const again = await mine.acquire();

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await readdir(dir)).sort()).toEqual(['2000', '2001']);
  });

  it('takes over the lock of an owner that died', async () => {
    // Prepare: a lock left by a pid no process has.
    const pool = new UidPool(dir, 3000, 1);
    await pool.init();
    await writeFile(join(dir, '3000'), '999999999');

    // Act
    const uid = await pool.acquire();

    // Assess
    expect(uid).toBe(3000);
    expect(await readFile(join(dir, '3000'), 'utf8')).toBe(String(process.pid));
  });
});
