import busboy from 'busboy';
import { InvalidRequestError } from '../domain/errors.js';
import { fileTooLarge, MAX_DIRECT_UPLOAD_BYTES } from '../domain/limits.js';

/**
 * The one file a `multipart/form-data` body carries in `field`. busboy parses the framing; a body
 * with no such file, more than one, or a file past the direct-upload cap is refused, naming the
 * field. Other fields are ignored.
 */
export function multipartFile(
  body: Buffer,
  contentType: string | undefined,
  field = 'file',
): Promise<{ filename: string; bytes: Buffer }> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(
      new InvalidRequestError(`send the file as multipart/form-data, in the field "${field}"`, field),
    );
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { files: 2, fileSize: MAX_DIRECT_UPLOAD_BYTES },
      });
    } catch (error) {
      reject(
        new InvalidRequestError(`the multipart body cannot be read: ${(error as Error).message}`, field),
      );
      return;
    }
    const files: Array<{ filename: string; bytes: Buffer }> = [];
    let failure: Error | undefined;
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure ??= fileTooLarge();
      });
      stream.on('close', () => {
        if (name === field) files.push({ filename: info.filename ?? '', bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('error', (error: Error) =>
      reject(new InvalidRequestError(`the multipart body cannot be read: ${error.message}`, field)),
    );
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (files.length === 0)
        reject(new InvalidRequestError(`the form has no file in the field "${field}"`, field));
      else if (files.length > 1)
        reject(new InvalidRequestError(`send one file in the field "${field}"`, field));
      else resolve(files[0] as { filename: string; bytes: Buffer });
    });
    parser.end(body);
  });
}
