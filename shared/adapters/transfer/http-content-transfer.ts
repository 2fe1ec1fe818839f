import type { Content, Upload } from '../../domain/sandbox-job.js';
import type { ContentTransfer } from '../../ports/content-transfer.js';

export class ContentTransferError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContentTransferError';
  }
}

/**
 * Reads presigned URLs and posts presigned forms with plain HTTP: the same code against S3 (through
 * the VPC's gateway endpoint) and against the local stack's artifact routes.
 */
export class HttpContentTransfer implements ContentTransfer {
  constructor(private readonly timeoutMs = 30_000) {}

  async read(content: Content): Promise<string> {
    if ('text' in content) return content.text;
    const response = await fetch(content.url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok)
      throw new ContentTransferError(`reading handed-over content failed: HTTP ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    // The controller said how large it is; anything else is not what it handed over.
    if (body.length !== content.bytes) {
      throw new ContentTransferError(
        `handed-over content is ${body.length} bytes, expected ${content.bytes}`,
      );
    }
    return body.toString('utf8');
  }

  async upload(target: Upload, body: string): Promise<void> {
    const bytes = Buffer.from(body, 'utf8');
    if (bytes.length > target.maxBytes) {
      throw new ContentTransferError(`upload of ${bytes.length} bytes exceeds its cap of ${target.maxBytes}`);
    }
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    // S3 requires the file to be the last field of the form.
    form.append('file', new Blob([bytes], { type: 'application/json' }));
    const response = await fetch(target.url, {
      method: 'POST',
      body: form,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new ContentTransferError(`upload failed: HTTP ${response.status}`);
  }
}
