import type { Content, Upload } from '../domain/sandbox-job.js';

/** Port: how the sandbox reads what it was handed and sends its logs, holding no credentials. */
export interface ContentTransfer {
  /** The text of inline or presigned content; throws when it cannot be had whole. */
  read(content: Content): Promise<string>;
  upload(target: Upload, body: string): Promise<void>;
}
