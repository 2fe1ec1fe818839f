import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../../shared/adapters/artifacts/s3-artifact-store.js';

const client = new S3Client({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
});
const s3 = mockClient(client);
const store = new S3ArtifactStore(client, 'artifacts-bucket');

afterEach(() => {
  s3.reset();
});

describe('Class: S3ArtifactStore', () => {
  describe('Method: get', () => {
    it('reads an object as text, and a missing (or lifecycle-expired) key as undefined', async () => {
      // Prepare
      s3.on(GetObjectCommand, { Key: 'sessions/s/candidates/1.py' }).resolves({
        // The SDK's stream body, reduced to the one method the store calls.
        Body: { transformToByteArray: async () => new TextEncoder().encode('print(1)\n') } as never,
      });
      s3.on(GetObjectCommand, { Key: 'sessions/s/gone.py' }).rejects(
        new NoSuchKey({ message: 'gone', $metadata: {} }),
      );

      // Act + Assess
      expect(await store.get('sessions/s/candidates/1.py')).toBe('print(1)\n');
      expect(await store.get('sessions/s/gone.py')).toBeUndefined();
    });
  });

  describe('Method: getBytes', () => {
    it('reads an object as its bytes, not as text, and a missing key as undefined', async () => {
      // Prepare: bytes that are not valid UTF-8, as a workbook's are.
      const bytes = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80]);
      s3.on(GetObjectCommand, { Key: 'uploads/up_1' }).resolves({
        Body: { transformToByteArray: async () => bytes } as never,
      });
      s3.on(GetObjectCommand, { Key: 'uploads/up_2' }).rejects(
        new NoSuchKey({ message: 'gone', $metadata: {} }),
      );

      // Act + Assess
      expect(await store.getBytes('uploads/up_1')).toEqual(Buffer.from(bytes));
      expect(await store.getBytes('uploads/up_2')).toBeUndefined();
    });
  });

  describe('Method: put', () => {
    it('writes the text under the key in the bucket', async () => {
      // Prepare
      s3.on(PutObjectCommand).resolves({});

      // Act
      await store.put('sessions/s/outputs/1.json', '{}');

      // Assess
      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
        Bucket: 'artifacts-bucket',
        Key: 'sessions/s/outputs/1.json',
        Body: '{}',
        ContentType: 'text/plain; charset=utf-8',
      });
    });

    it('writes bytes as they are, typed as binary', async () => {
      // Prepare
      s3.on(PutObjectCommand).resolves({});
      const bytes = Buffer.from([0x00, 0xff, 0x10]);

      // Act
      await store.put('uploads/up_1', bytes);

      // Assess
      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
        Key: 'uploads/up_1',
        Body: bytes,
        ContentType: 'application/octet-stream',
      });
    });
  });

  describe('Method: presignGet', () => {
    it('signs a GET of exactly that key, expiring when asked', async () => {
      // Act
      const url = new URL(await store.presignGet('sessions/s/candidates/2.py', 900));

      // Assess
      expect(url.hostname).toBe('artifacts-bucket.s3.eu-west-1.amazonaws.com');
      expect(url.pathname).toBe('/sessions/s/candidates/2.py');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('Method: presignUpload', () => {
    it('signs a POST policy for that key whose size cap S3 itself enforces', async () => {
      // Act
      const upload = await store.presignUpload('sessions/s/logs/1.json', 3_000_000, 600);

      // Assess
      expect(upload.url).toBe('https://artifacts-bucket.s3.eu-west-1.amazonaws.com/');
      expect(upload.maxBytes).toBe(3_000_000);
      expect(upload.fields.key).toBe('sessions/s/logs/1.json');
      const policy = JSON.parse(Buffer.from(String(upload.fields.Policy), 'base64').toString('utf8')) as {
        expiration: string;
        conditions: unknown[];
      };
      expect(policy.conditions).toContainEqual(['content-length-range', 0, 3_000_000]);
      expect(policy.conditions).toContainEqual({ key: 'sessions/s/logs/1.json' });
      const lifetime = Date.parse(policy.expiration) - Date.now();
      expect(lifetime).toBeGreaterThan(590_000);
      expect(lifetime).toBeLessThanOrEqual(600_000);
    });
  });
});
