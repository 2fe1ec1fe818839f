import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Upload } from '../../domain/sandbox-job.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';

/** Artifacts in the project's bucket; its lifecycle rule expires them (a deployment setting). */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string | Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      }),
    );
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.getBytes(key))?.toString('utf8');
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from((await Body?.transformToByteArray()) ?? []);
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  presignGet(key: string, expiresInS: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInS,
    });
  }

  async presignUpload(key: string, maxBytes: number, expiresInS: number): Promise<Upload> {
    // A POST policy, unlike a presigned PUT, can bound the size: S3 refuses a larger body itself.
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [['content-length-range', 0, maxBytes]],
      Expires: expiresInS,
    });
    return { url, fields, maxBytes };
  }
}
