import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';
import type { DynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { TooManySubscribersError } from '../../shared/domain/errors.js';
import { MAX_SUBSCRIBERS } from '../../shared/domain/limits.js';
import type { SessionMeta } from '../../shared/domain/types.js';
import { openDynaliteStore, sessionMeta } from '../support/dynalite-store.js';

let dir: string;
let opened: Awaited<ReturnType<typeof openDynaliteStore>> | undefined;
let store: DynamoDbSessionStore;
let artifacts: FileArtifactStore;

const meta = (sessionId: string, status: SessionMeta['status'] = 'queued') =>
  sessionMeta(sessionId, { status });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'store-'));
  opened = await openDynaliteStore(dir, 'store-test');
  ({ store, artifacts } = opened);
});

afterAll(async () => {
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Class: DynamoDbSessionStore (against dynalite)', () => {
  it('stores a session with its problem by reference and refuses a duplicate id', async () => {
    const code = 'print("x")\n'.repeat(60_000); // ~660 KB: over DynamoDB's item limit, so it must live outside
    await store.create(meta('s1'), { code, filename: 'program.py', maxRounds: 2 });
    expect((await store.getProblem('s1')).code).toBe(code);
    expect(await store.getMeta('s1')).toMatchObject({ sessionId: 's1', status: 'queued', winner: null });
    await expect(store.create(meta('s1'), { code: 'x', filename: 'p.py', maxRounds: 1 })).rejects.toThrow();
  });

  it('updates metadata and returns the new version; an unknown session fails', async () => {
    await store.create(meta('s2'), { code: 'x', filename: 'program.py', maxRounds: 2 });
    const updated = await store.updateMeta('s2', {
      status: 'verified',
      winner: { index: 2, durationMs: 3 },
    });
    expect(updated).toMatchObject({ status: 'verified', winner: { index: 2 } });
    expect(updated.updatedAt >= updated.createdAt).toBe(true);
    await expect(store.updateMeta('missing', { status: 'failed' })).rejects.toThrow();
  });

  it('keeps candidates, their code, diffs and results, in index order', async () => {
    await store.create(meta('s3'), { code: 'orig', filename: 'program.py', maxRounds: 2 });
    await store.putCandidates('s3', [
      { index: 2, round: 1, source: 'offline', code: 'two', diff: 'diff2', changedLines: 2, title: 't2' },
      { index: 0, round: 1, source: 'original', code: 'orig', diff: '', changedLines: 0 },
      { index: 1, round: 1, source: 'offline', code: 'one', diff: 'diff1', changedLines: 2 },
    ]);
    await store.saveResult('s3', 1, {
      status: 'passed',
      exitCode: 0,
      durationMs: 12.5,
      stdout: 'ok',
      stderr: '',
    });
    const listed = await store.listCandidates('s3');
    expect(listed.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(listed[1]).toMatchObject({
      code: 'one',
      diff: 'diff1',
      changedLines: 2,
      result: { status: 'passed', durationMs: 12.5 },
      outputs: { stdout: 'ok', stderr: '' },
    });
    expect((await store.listSummaries('s3')).map((c) => [c.index, c.result?.status])).toEqual([
      [0, undefined],
      [1, 'passed'],
      [2, undefined],
    ]);
    expect(listed[2]).toMatchObject({ title: 't2', code: 'two' });
    expect(listed[2]?.result).toBeUndefined();
    await expect(
      store.saveResult('s3', 9, { status: 'passed', exitCode: 0, durationMs: 1, stdout: '', stderr: '' }),
    ).rejects.toThrow();
  });

  it('keeps a harness test as an artifact', async () => {
    await store.create(meta('s4'), { code: 'x', filename: 'program.py', maxRounds: 2 });
    await store.putCandidates('s4', [], { kind: 'test', test: 'assert False\n', origin: 'client' });
    expect(await store.getHarness('s4')).toEqual({ kind: 'test', test: 'assert False\n', origin: 'client' });
    expect(await store.getHarness('nope')).toBeUndefined();
  });

  it('keeps every item small whatever the input: a 1 MiB rewrite and 64 KiB outputs of 4-byte characters', async () => {
    // Prepare: over DynamoDB's 400 KB item limit if any of it were stored in the item.
    const rewrite = 'y = 2\n'.repeat(180_000);
    const emoji = '😀'.repeat(64 * 1024);
    await store.create(meta('big'), { code: 'x = 1\n', filename: 'program.py', maxRounds: 1 });
    await store.putCandidates('big', [
      { index: 1, round: 1, source: 'client', code: rewrite, diff: rewrite, changedLines: 180_001 },
    ]);

    // Act
    await store.saveResult('big', 1, {
      status: 'failed',
      exitCode: 1,
      durationMs: 5,
      stdout: emoji,
      stderr: emoji,
      reason: 'r'.repeat(100_000),
    });
    await store.updateMeta('big', { status: 'verified', winner: { index: 1, durationMs: 5 } });

    // Assess
    const [stored] = await store.listCandidates('big');
    expect(stored?.code).toBe(rewrite);
    expect(stored?.outputs?.stdout).toBe(emoji);
    expect(stored?.result?.reason?.length).toBeLessThanOrEqual(1001);
  });

  it('reads expired content as null, never as empty text, and keeps the verdicts', async () => {
    // Prepare: a store whose artifacts live for no time at all.
    const expiring = await openDynaliteStore(join(dir, 'expiring'), 'expiring', { ttlMs: -1 });
    try {
      await expiring.store.create(meta('old'), { code: 'x', filename: 'program.py', maxRounds: 1 });
      await expiring.store.putCandidates('old', [], {
        kind: 'test',
        test: 'assert False\n',
        origin: 'client',
      });
      await expiring.store.putCandidates('old', [
        { index: 1, round: 1, source: 'client', code: 'y', diff: 'd', changedLines: 2 },
      ]);
      await expiring.store.saveResult('old', 1, {
        status: 'passed',
        exitCode: 0,
        durationMs: 3,
        stdout: 'ok',
        stderr: '',
      });

      // Act
      const [candidate] = await expiring.store.listCandidates('old');
      const harness = await expiring.store.getHarness('old');

      // Assess
      expect(candidate).toMatchObject({
        code: null,
        diff: null,
        outputs: null,
        result: { status: 'passed' },
      });
      expect(harness).toEqual({ kind: 'test', origin: 'client', expired: true });
    } finally {
      await expiring.close();
    }
  });

  it('keeps subscribers on the session: each write of it returns them, and a subscription the session', async () => {
    // Prepare
    await store.create(
      { ...meta('s5'), subscribers: ['owner'] },
      { code: 'x', filename: 'program.py', maxRounds: 2 },
    );

    // Act
    const joined = await store.addSubscriber('s5', 'a+b/c=');
    await store.addSubscriber('s5', 'z');
    await store.addSubscriber('s5', 'z');
    const updated = await store.updateMeta('s5', { status: 'running' });
    await store.removeSubscriber('s5', 'z');
    await store.removeSubscriber('s5', 'never-there');

    // Assess
    expect(joined).toMatchObject({ sessionId: 's5', status: 'queued', subscribers: ['a+b/c=', 'owner'] });
    expect(updated.subscribers).toEqual(['a+b/c=', 'owner', 'z']);
    expect(await store.listSubscribers('s5')).toEqual(['a+b/c=', 'owner']);
    expect((await store.getMeta('s5'))?.subscribers).toEqual(['a+b/c=', 'owner']);
  });

  it('subscribes to no session that does not exist, and to none past its cap', async () => {
    // Prepare
    await store.create(meta('s6'), { code: 'x', filename: 'program.py', maxRounds: 2 });
    for (let i = 0; i < MAX_SUBSCRIBERS; i += 1) await store.addSubscriber('s6', `c${i}`);

    // Act
    const unknown = await store.addSubscriber('no-such-session', 'a');
    const full = await store.addSubscriber('s6', 'one-too-many').catch((error: unknown) => error);
    const again = await store.addSubscriber('s6', 'c7');

    // Assess
    expect(unknown).toBeUndefined();
    expect(full).toBeInstanceOf(TooManySubscribersError);
    expect(again?.subscribers).toHaveLength(MAX_SUBSCRIBERS);
    await store.removeSubscriber('s6', 'c0');
    expect((await store.addSubscriber('s6', 'one-too-many'))?.subscribers).toContain('one-too-many');
    await store.removeSubscriber('no-such-session', 'a');
    expect(await store.getMeta('no-such-session')).toBeUndefined();
  });

  it('lists the unfinished sessions only', async () => {
    await store.create(meta('u1', 'running'), { code: 'x', filename: 'program.py', maxRounds: 2 });
    const unfinished = (await store.listUnfinished()).map((m) => m.sessionId);
    expect(unfinished).toContain('u1');
    expect(unfinished).toContain('s1');
    expect(unfinished).not.toContain('s2');
  });
});

describe('Class: FileArtifactStore', () => {
  it('refuses a key that escapes its root', async () => {
    await expect(artifacts.put('../../etc/x', 'no')).rejects.toThrow(/escapes/);
    await expect(artifacts.presignGet('../../etc/passwd', 60)).rejects.toThrow(/escapes/);
    expect(await artifacts.get('sessions/none')).toBeUndefined();
  });
});
