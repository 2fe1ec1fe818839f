/** A decoded `data:` URI: its bytes and the media type it claimed (anything: real tasks send `@file/zip`). */
export interface DataUri {
  mediaType: string;
  bytes: Buffer;
}

export class DataUriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataUriError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses `data:[<media type>][;<param>…][;base64],<data>` (RFC 2397). The media type is kept as
 * given, never trusted; base64 must be well formed (whitespace aside) and decode exactly, so a
 * corrupted attachment is refused instead of committed.
 */
export function parseDataUri(uri: string): DataUri {
  if (!uri.startsWith('data:')) throw new DataUriError('is not a data: URI');
  const comma = uri.indexOf(',');
  if (comma < 0) throw new DataUriError('has no "," before its data');
  const header = uri.slice('data:'.length, comma);
  const data = uri.slice(comma + 1);
  const parts = header.split(';');
  const isBase64 = parts.at(-1)?.toLowerCase() === 'base64';
  if (isBase64) parts.pop();
  const mediaType = parts[0] || 'text/plain';
  if (!isBase64) {
    try {
      return { mediaType, bytes: Buffer.from(decodeURIComponent(data), 'utf8') };
    } catch {
      throw new DataUriError('has malformed percent-encoding');
    }
  }
  const compact = data.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new DataUriError('has malformed base64');
  return { mediaType, bytes: Buffer.from(compact, 'base64') };
}
