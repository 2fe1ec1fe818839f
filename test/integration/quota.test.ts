import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../shared/domain/errors.js';
import { quotaDay } from '../../shared/domain/quota.js';
import type { FixProblem } from '../../shared/domain/types.js';
import { submitFix } from '../../shared/kinds/fix/use-cases/submit-fix.js';
import { settleQuota, takeSessionQuota } from '../../shared/use-cases/quota.js';
import { openDynaliteStore, sessionMeta } from '../support/dynalite-store.js';

/* The daily allowance against dynalite: one conditional write per unit, and nothing counted twice. */

let dir: string;
let opened: Awaited<ReturnType<typeof openDynaliteStore>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quota-'));
  opened = await openDynaliteStore(dir, 'quota');
});

afterAll(async () => {
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

const problem: FixProblem = { code: 'print(1)\n', filename: 'program.py', maxRounds: 1 } as FixProblem;
const principal = (userId: string) => ({ userId, via: 'token' as const });

describe('the daily allowance', () => {
  it('lets exactly the allowance through when ten sessions are submitted at once', async () => {
    const quota = { users: opened.users, defaultAllowance: 2 };
    const started: string[] = [];
    const workflow = { start: async (sessionId: string) => void started.push(sessionId) };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        submitFix({ store: opened.store, workflow, quota }, problem, { owner: principal('concurrent') }),
      ),
    );
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(8);
    for (const outcome of refused)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(QuotaExceededError);
    expect(started).toHaveLength(2);
    expect(await opened.users.usedOn('concurrent', quotaDay(new Date()))).toBe(2);
    const owned = await opened.store.listOwned('concurrent', { limit: 20 });
    expect(owned.items).toHaveLength(2);
    expect(owned.items.every((meta) => meta.quota?.state === 'held')).toBe(true);
  });

  it('takes units with one conditional write each: 25 at once against an allowance of 7', async () => {
    const quota = { users: opened.users, defaultAllowance: 7 };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 25 }, () => takeSessionQuota(quota, 'burst')),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(7);
    expect(await opened.users.usedOn('burst', quotaDay(new Date()))).toBe(7);
  });

  it('keeps the unit of a verified session and gives back that of any other end, once however often settled', async () => {
    const quota = { users: opened.users, defaultAllowance: 5 };
    const day = quotaDay(new Date());
    for (const [id, status] of [
      ['settle-verified', 'verified'],
      ['settle-nofix', 'no_fix'],
      ['settle-failed', 'failed'],
    ] as const) {
      const hold = await takeSessionQuota(quota, 'settler');
      await opened.store.create(sessionMeta(id, { owner: 'settler', quota: hold }), problem);
      const meta = await opened.store.updateMeta(id, { status: 'running' });
      await Promise.all([settleQuota(opened, meta, status), settleQuota(opened, meta, status)]);
      await settleQuota(opened, meta, status);
      expect((await opened.store.getMeta(id))?.quota?.state).toBe(
        status === 'verified' ? 'consumed' : 'returned',
      );
    }
    expect(await opened.users.usedOn('settler', day)).toBe(1);
  });

  it('gives the unit back to the day it was taken from, and a user’s own allowance overrides the default', async () => {
    await opened.users.setAllowance('override', 1);
    const quota = { users: opened.users, defaultAllowance: 50, now: () => new Date('2026-03-01T23:59:59Z') };
    const hold = await takeSessionQuota(quota, 'override');
    expect(hold.day).toBe('2026-03-01');
    await expect(takeSessionQuota(quota, 'override')).rejects.toMatchObject({
      resetsAt: new Date('2026-03-02T00:00:00Z'),
    });
    const held = sessionMeta('next-day', { owner: 'override', quota: hold });
    await opened.store.create(held, problem);
    await settleQuota(opened, held, 'no_fix');
    expect(await opened.users.usedOn('override', '2026-03-01')).toBe(0);
    // Never below zero, whatever is given back.
    await opened.users.returnQuota('override', '2026-03-01');
    expect(await opened.users.usedOn('override', '2026-03-01')).toBe(0);
  });

  it('gives the unit back when the workflow cannot start', async () => {
    const quota = { users: opened.users, defaultAllowance: 1 };
    const workflow = {
      start: async () => {
        throw new Error('no state machine');
      },
    };
    await expect(
      submitFix({ store: opened.store, workflow, quota }, problem, { owner: principal('unstarted') }),
    ).rejects.toThrow('no state machine');
    expect(await opened.users.usedOn('unstarted', quotaDay(new Date()))).toBe(0);
  });
});
