import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Upload } from '../../domain/sandbox-job.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';

/**
 * Up to this size an artifact is written in one synchronous step (reads always are): a small file on
 * a local disk costs a fraction of a millisecond that way, where the promise API takes four or five
 * trips through the thread pool and the event loop, each waiting its turn behind everything else
 * the process is doing. Larger bodies are written through the thread pool.
 */
const SYNC_BYTES = 256 * 1024;

export interface FileArtifactStoreOptions {
  /** How long an artifact lives; older ones read as missing and are removed. */
  ttlMs: number;
  /** Where the local stack serves presigned URLs (`<base>/artifacts/…`); required to presign. */
  baseUrl?: string;
  /** Signs presigned URLs, as S3 signs with the caller's credentials; required to presign. */
  signingKey?: string;
}

/** The form fields of a local presigned upload, as S3's POST policy fields are for a bucket. */
interface UploadFields {
  key: string;
  expires: string;
  maxBytes: string;
  signature: string;
}

/**
 * Local stand-in for the artifact bucket: one file per key under a root directory, with the bucket's
 * lifecycle (expiry by age) and its presigned GET and POST, which the local gateway serves.
 */
export class FileArtifactStore implements ArtifactStore {
  private readonly root: string;
  /** Dirs this store made (or found) already: a put into one needs no mkdir. */
  private readonly dirs = new Set<string>();

  constructor(
    root: string,
    private readonly options: FileArtifactStoreOptions,
  ) {
    this.root = resolve(root);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    // Write then rename so a reader never sees half a file.
    const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
    if (body.length <= SYNC_BYTES) {
      this.retryingInDir(dir, () =>
        writeFileSync(partial, body, typeof body === 'string' ? 'utf8' : undefined),
      );
      renameSync(partial, path);
      return;
    }
    if (!this.dirs.has(dir)) await this.makeDir(dir);
    try {
      await writeFile(partial, body);
    } catch (error) {
      // The dir went away since (someone cleaned up): make it again, once.
      if (!isMissing(error)) throw error;
      await this.makeDir(dir);
      await writeFile(partial, body);
    }
    await rename(partial, path);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.getBytes(key))?.toString('utf8');
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    const path = this.pathOf(key);
    try {
      if (Date.now() - statSync(path).mtimeMs > this.options.ttlMs) {
        // Past its lifetime, as the bucket's lifecycle rule would have removed it.
        await unlink(path).catch(() => undefined);
        return undefined;
      }
      // One read: artifacts are capped (code and logs at a few MiB, an uploaded dataset at 50 MiB).
      return readFileSync(path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async presignGet(key: string, expiresInS: number): Promise<string> {
    this.pathOf(key);
    const expires = String(Math.floor(Date.now() / 1000) + expiresInS);
    const url = new URL(`${this.base()}/artifacts/${key}`);
    url.searchParams.set('expires', expires);
    url.searchParams.set('signature', this.sign(['GET', key, expires]));
    return url.toString();
  }

  async presignUpload(key: string, maxBytes: number, expiresInS: number): Promise<Upload> {
    this.pathOf(key);
    const expires = String(Math.floor(Date.now() / 1000) + expiresInS);
    const fields: UploadFields = {
      key,
      expires,
      maxBytes: String(maxBytes),
      signature: this.sign(['POST', key, expires, String(maxBytes)]),
    };
    return { url: `${this.base()}/artifacts`, fields: { ...fields }, maxBytes };
  }

  /** The key a presigned GET names, if its signature holds and it has not expired. */
  verifyGet(key: string, expires: string | null, signature: string | null): boolean {
    if (expires === null || signature === null || !this.fresh(expires)) return false;
    return this.matches(signature, this.sign(['GET', key, expires]));
  }

  /** The key and size cap of a presigned upload, if its fields hold and it has not expired. */
  verifyUpload(fields: Record<string, string>): { key: string; maxBytes: number } | undefined {
    const { key, expires, maxBytes, signature } = fields as Partial<UploadFields>;
    if (!key || !expires || !maxBytes || !signature || !this.fresh(expires)) return undefined;
    if (!this.matches(signature, this.sign(['POST', key, expires, maxBytes]))) return undefined;
    return { key, maxBytes: Number(maxBytes) };
  }

  private fresh(expires: string): boolean {
    return /^\d+$/.test(expires) && Number(expires) * 1000 >= Date.now();
  }

  private matches(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sign(parts: string[]): string {
    const { signingKey } = this.options;
    if (!signingKey) throw new Error('this artifact store has no signing key, so it cannot presign');
    return createHmac('sha256', signingKey).update(parts.join('\n')).digest('hex');
  }

  private base(): string {
    const { baseUrl } = this.options;
    if (!baseUrl) throw new Error('this artifact store has no base URL, so it cannot presign');
    return baseUrl.replace(/\/$/, '');
  }

  private retryingInDir(dir: string, write: () => void): void {
    if (!this.dirs.has(dir)) this.makeDirSync(dir);
    try {
      write();
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.makeDirSync(dir);
      write();
    }
  }

  private makeDirSync(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  private async makeDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.dirs.add(dir);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`artifact key escapes the store: ${key}`);
    return path;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
