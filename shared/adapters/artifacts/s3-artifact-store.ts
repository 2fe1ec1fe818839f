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
    const body = await this.body(key);
    return body === undefined ? undefined : ((await body?.transformToString('utf8')) ?? '');
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    const body = await this.body(key);
    return body === undefined ? undefined : Buffer.from((await body?.transformToByteArray()) ?? []);
  }

  /** The object's body stream (null for an object the response carried no body for), or undefined when missing. */
  private async body(key: string) {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Body ?? null;
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
