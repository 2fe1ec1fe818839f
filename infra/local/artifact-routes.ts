import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import type { FileArtifactStore } from '../../shared/adapters/artifacts/file-artifact-store.js';

/** The form fields S3 takes before the file (its POST policy caps them at 20 KB in all). */
const MAX_FIELDS_BYTES = 20 * 1024;

/**
 * The bucket's presigned routes: `GET /artifacts/<key>?expires&signature` and a form `POST /artifacts`
 * whose signed fields name the key and its size cap. Refusals answer as S3 does: 403, or 400 for a
 * body over the cap.
 *
 * As in S3, the fields come before the file: they are checked as the file's part begins, and the
 * file is counted as it streams, so a body over its cap is refused once it passes the cap, whatever
 * the request declared, and nothing of it is stored.
 */
export async function serveArtifact(
  artifacts: FileArtifactStore,
  request: IncomingMessage,
  url: URL,
  response: ServerResponse,
): Promise<void> {
  if (request.method === 'GET') {
    const key = decodeURIComponent(url.pathname.slice('/artifacts/'.length));
    if (!artifacts.verifyGet(key, url.searchParams.get('expires'), url.searchParams.get('signature'))) {
      refuse(response, 403, 'AccessDenied');
      return;
    }
    const bytes = await artifacts.getBytes(key);
    if (bytes === undefined) {
      refuse(response, 404, 'NoSuchKey');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(bytes);
    return;
  }
  if (request.method !== 'POST' || url.pathname !== '/artifacts') {
    refuse(response, 405, 'MethodNotAllowed');
    return;
  }
  const outcome = await receiveForm(artifacts, request);
  if ('refusal' in outcome) {
    // The rest of the body is drained, unstored, so the client reads the refusal rather than a reset.
    request.unpipe();
    request.resume();
    refuse(response, outcome.refusal[0], outcome.refusal[1]);
    return;
  }
  await artifacts.put(outcome.key, outcome.bytes);
  response.writeHead(204).end();
}

type FormOutcome = { key: string; bytes: Buffer } | { refusal: [number, string] };

function receiveForm(artifacts: FileArtifactStore, request: IncomingMessage): Promise<FormOutcome> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { files: 1, fieldSize: MAX_FIELDS_BYTES, fields: 20 },
      });
    } catch {
      resolve({ refusal: [400, 'MalformedPOSTRequest'] });
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    const settle = (outcome: FormOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let received: { key: string; bytes: Buffer } | undefined;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const grant = artifacts.verifyUpload(fields);
      if (!grant) {
        stream.resume();
        settle({ refusal: [403, 'AccessDenied'] });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > grant.maxBytes) {
          settle({ refusal: [400, 'EntityTooLarge'] });
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (!settled) received = { key: grant.key, bytes: Buffer.concat(chunks) };
      });
    });
    parser.on('error', () => settle({ refusal: [400, 'MalformedPOSTRequest'] }));
    parser.on('close', () => settle(received ?? { refusal: [400, 'MalformedPOSTRequest'] }));
    request.pipe(parser);
  });
}

function refuse(response: ServerResponse, status: number, code: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`<Error><Code>${code}</Code></Error>`);
}
