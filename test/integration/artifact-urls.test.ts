import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGateway } from '../../infra/local/gateway.js';
import { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';
import { HttpContentTransfer } from '../../shared/adapters/transfer/http-content-transfer.js';

let dir: string;
let gateway: LocalGateway;
let signer: FileArtifactStore;
let served: FileArtifactStore;
const transfer = new HttpContentTransfer(5000);
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'artifact-urls-'));
  // The gateway holds the key without a base URL; the handlers' store presigns with both.
  served = new FileArtifactStore(dir, { ttlMs: DAY, signingKey: 'k1' });
  gateway = new LocalGateway(
    {
      http: async () => ({ statusCode: 404 }),
      wsConnect: async () => undefined,
      wsDisconnect: async () => undefined,
      wsDefault: async () => undefined,
    },
    () => {
      throw new Error('no state machine here');
    },
    { info: () => undefined, error: () => undefined },
    'local',
    served,
  );
  const port = await gateway.listen(0);
  gateway.markReady();
  signer = new FileArtifactStore(dir, { ttlMs: DAY, signingKey: 'k1', baseUrl: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await gateway.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Presigned artifact URLs on the local stack', () => {
  it('serve a presigned GET, byte for byte, and refuse a tampered or expired one', async () => {
    // Prepare
    const text = 'print("héllo")\n'.repeat(1000);
    await signer.put('sessions/s/candidates/1.py', text);
    const url = await signer.presignGet('sessions/s/candidates/1.py', 60);

    // Act + Assess
    expect(await transfer.read({ url, bytes: Buffer.byteLength(text) })).toBe(text);
    const otherKey = url.replace('candidates/1.py', 'candidates/2.py');
    expect((await fetch(otherKey)).status).toBe(403);
    const forged = url.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(64)}`);
    expect((await fetch(forged)).status).toBe(403);
    const expired = await signer.presignGet('sessions/s/candidates/1.py', -10);
    expect((await fetch(expired)).status).toBe(403);
    const otherKeySigner = new FileArtifactStore(dir, { ttlMs: DAY, signingKey: 'k2', baseUrl: 'http://x' });
    const wrongKey = (await otherKeySigner.presignGet('sessions/s/candidates/1.py', 60)).replace(
      'http://x',
      new URL(url).origin,
    );
    expect((await fetch(wrongKey)).status).toBe(403);
  });

  it('takes an upload of bytes past the size of a request body, byte for byte, streamed to its cap', async () => {
    // Prepare: 12 MiB that are not UTF-8 text (a workbook, or a transform's large output).
    const bytes = Buffer.alloc(12 * 1024 * 1024);
    for (let at = 0; at < bytes.length; at += 1) bytes[at] = (at * 7919) % 256;
    const upload = await signer.presignUpload('uploads/up_big', bytes.length, 60);

    // Act
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob([bytes]));
    const response = await fetch(upload.url, { method: 'POST', body: form });

    // Assess
    expect(response.status).toBe(204);
    expect((await served.getBytes('uploads/up_big'))?.equals(bytes)).toBe(true);
    const url = await signer.presignGet('uploads/up_big', 60);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses content whose size is not what the controller said', async () => {
    await signer.put('sessions/s/candidates/3.py', 'x = 1\n');
    const url = await signer.presignGet('sessions/s/candidates/3.py', 60);
    await expect(transfer.read({ url, bytes: 999 })).rejects.toThrow(/expected 999/);
  });

  it('takes an upload within its cap, and refuses one over it, one with forged fields, and garbage', async () => {
    // Prepare
    const upload = await signer.presignUpload('sessions/s/logs/1.json', 1000, 60);

    // Act + Assess: within the cap
    await transfer.upload(upload, '{"stdout":"ok","stderr":""}');
    expect(await served.get('sessions/s/logs/1.json')).toBe('{"stdout":"ok","stderr":""}');

    // Over the cap, sent anyway (a client that ignores the cap it was given)
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob(['x'.repeat(1001)]));
    const tooBig = await fetch(upload.url, { method: 'POST', body: form });
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain('EntityTooLarge');

    // A larger cap or another key than was signed
    for (const forged of [
      { ...upload.fields, maxBytes: '100000000' },
      { ...upload.fields, key: 'sessions/other/logs/1.json' },
    ]) {
      const attempt = new FormData();
      for (const [name, value] of Object.entries(forged)) attempt.append(name, value);
      attempt.append('file', new Blob(['{}']));
      expect((await fetch(upload.url, { method: 'POST', body: attempt })).status).toBe(403);
    }
    expect(await served.get('sessions/other/logs/1.json')).toBeUndefined();

    // Not a form at all
    const garbage = await fetch(upload.url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not a form',
    });
    expect(garbage.status).toBe(400);
    expect(await transfer.upload(upload, 'x'.repeat(2000)).catch((error: Error) => error.message)).toMatch(
      /exceeds its cap/,
    );
  });
});
