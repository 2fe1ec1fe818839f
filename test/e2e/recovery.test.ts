import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_USER } from '../../infra/local/local-issuer.js';
import { openDynaliteStore, sessionMeta } from '../support/dynalite-store.js';
import { type StackFixture, startStackFixture, waitForResult } from '../support/local-stack-fixture.js';

let dataDir: string;
let fixture: StackFixture | undefined;

afterAll(async () => {
  await fixture?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// Owned by the local default user, whom the stack (AUTH=auto) signs in to read them back.
const meta = (sessionId: string, resumes: number) =>
  sessionMeta(sessionId, {
    status: 'running',
    maxRounds: 1,
    rounds: 1,
    resumes,
    owner: DEFAULT_LOCAL_USER.sub,
  });

describe('Local stack restart', () => {
  it('resumes sessions a crash left running, fails one already resumed once, and fails one whose controller fails', async () => {
    // Prepare: the state a crash mid-session leaves in the data dir.
    dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-recovery-'));
    const { store, close } = await openDynaliteStore(dataDir, 'truth-engine');
    const code = 'print(1 / 0)\n';
    await store.create(meta('interrupted', 0), {
      code,
      filename: 'program.py',
      maxRounds: 1,
      candidates: ['print(1)\n'],
    });
    await store.create(meta('twice', 1), {
      code,
      filename: 'program.py',
      maxRounds: 1,
      candidates: ['print(1)\n'],
    });
    // A session whose stored problem is gone: its controller fails, and the workflow's Catch must
    // still end it `failed` with a reason instead of leaving it running.
    await store.create(meta('lost', 0), { code, filename: 'program.py', maxRounds: 1 });
    await rm(join(dataDir, 'artifacts', 'sessions', 'lost', 'problem.json'));
    await close();

    // Act: start the stack on that data dir.
    fixture = await startStackFixture({}, dataDir);

    // Assess
    expect(fixture.stack.recovered.resumed.sort()).toEqual(['interrupted', 'lost']);
    expect(fixture.stack.recovered.failed).toEqual(['twice']);
    const resumed = await waitForResult(fixture.stack, 'interrupted');
    expect(resumed.status).toBe('verified');
    expect(resumed.baseline?.stderr).toContain('ZeroDivisionError');
    const failed = await waitForResult(fixture.stack, 'twice');
    expect(failed.status).toBe('failed');
    expect(failed.reason).toContain('stopped twice');
    const lost = await waitForResult(fixture.stack, 'lost');
    expect(lost.status).toBe('failed');
    expect(lost.reason).toMatch(/^the workflow failed: SessionNotFoundError: /);
  });
});
