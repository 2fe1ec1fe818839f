import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'te-artifacts-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Class: FileArtifactStore', () => {
  describe('Method: put', () => {
    it('writes again into a dir that was removed after an earlier write', async () => {
      // Prepare
      const store = new FileArtifactStore(root, { ttlMs: 60_000 });
      await store.put('sessions/s1/problem.json', 'first');
      await rm(join(root, 'sessions'), { recursive: true, force: true });

      // Act
      await store.put('sessions/s1/problem.json', 'second');

      // Assess
      expect(await store.get('sessions/s1/problem.json')).toBe('second');
    });

    it('refuses a key that escapes the store', async () => {
      const store = new FileArtifactStore(root, { ttlMs: 60_000 });
      await expect(store.put('../outside', 'x')).rejects.toThrow(/escapes/);
    });
  });
});
