import type { Upload } from '../domain/sandbox-job.js';

/** Port: large blobs (code, diffs, outputs, full logs) kept outside the table, by key. */
export interface ArtifactStore {
  /** Text is stored as UTF-8; bytes (an uploaded workbook) as they are. */
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** Returns undefined when there is no such key, or it has expired. */
  get(key: string): Promise<string | undefined>;
  /** The same, as bytes: for what is not text, such as an uploaded workbook. */
  getBytes(key: string): Promise<Buffer | undefined>;
  /** A URL that lets its holder GET `key`, and nothing else, until it expires. */
  presignGet(key: string, expiresInS: number): Promise<string>;
  /** A form upload to `key` of at most `maxBytes`, until it expires. */
  presignUpload(key: string, maxBytes: number, expiresInS: number): Promise<Upload>;
}
