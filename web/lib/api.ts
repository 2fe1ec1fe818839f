import { currentToken } from './auth';
import { loadConfig } from './config';
import { parseTextStreamEvent, readEventData } from './sse';
import type {
  DatasetUpload,
  FixList,
  FixView,
  Me,
  SharedView,
  ShareLink,
  TaskRoundView,
  TransformJob,
  TransformRequest,
} from './types';

/** An API refusal: the server's `error` text, the field it names, the HTTP status, and when a quota resets. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly resetsAt?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNAUTHORIZED = 'you are not signed in, or your sign-in has expired';

/** Who hears of a 401 (the store: it shows the sign-in prompt). */
let onUnauthorized: (() => void) | undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

interface CallOptions extends RequestInit {
  /** A public route: sent with no credential. */
  anonymous?: boolean;
}

/** Sends a request with the caller's credential (unless `anonymous`); a network failure is an ApiError. */
async function send(url: string, { anonymous = false, ...init }: CallOptions): Promise<Response> {
  const token = anonymous ? null : currentToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  try {
    return await fetch(url, { ...init, headers });
  } catch (error) {
    throw new ApiError(`the API could not be reached (${String(error)})`, 0);
  }
}

/** The ApiError a refused response makes: the server's `error` and `field`, a 401 said plainly. */
function refusal(response: Response, body: unknown, anonymous: boolean): ApiError {
  const said = (body ?? {}) as { error?: unknown; field?: unknown; resetsAt?: unknown };
  if (response.status === 401 && !anonymous) onUnauthorized?.();
  const message =
    response.status === 401
      ? UNAUTHORIZED
      : typeof said.error === 'string'
        ? said.error
        : `${response.status} ${response.statusText}`.trim();
  return new ApiError(
    message,
    response.status,
    typeof said.field === 'string' ? said.field : undefined,
    typeof said.resetsAt === 'string' ? said.resetsAt : undefined,
  );
}

function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const { apiUrl } = await loadConfig();
  const response = await send(`${apiUrl}${path}`, options);
  const body = parsed(await response.text());
  if (!response.ok) throw refusal(response, body, options.anonymous ?? false);
  return body as T;
}

export interface FixRequest {
  code: string;
  filename?: string;
  error?: string;
  test?: string;
  maxRounds?: number;
}

export function postFix(request: FixRequest): Promise<{ sessionId: string; status: string }> {
  return call('/v1/fixes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
}

export function getFix(sessionId: string): Promise<FixView> {
  return call(`/v1/fixes/${encodeURIComponent(sessionId)}`, { cache: 'no-store' });
}

export function getTaskRound(task: string, round: string): Promise<TaskRoundView> {
  return call(`/v1/tasks/${encodeURIComponent(task)}/rounds/${encodeURIComponent(round)}`, {
    cache: 'no-store',
  });
}

export function getMe(): Promise<Me> {
  return call('/v1/me', { cache: 'no-store' });
}

/** The caller's sessions, newest first; `cursor` is the previous page's, as the API gave it. */
export function listMyFixes(cursor?: string, limit = 20): Promise<FixList> {
  const query = new URLSearchParams({ mine: '', limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return call(`/v1/fixes?${query.toString().replace('mine=', 'mine')}`, { cache: 'no-store' });
}

export function shareFix(sessionId: string): Promise<ShareLink> {
  return call(`/v1/fixes/${encodeURIComponent(sessionId)}/share`, { method: 'POST' });
}

export function revokeShare(sessionId: string): Promise<void> {
  return call(`/v1/fixes/${encodeURIComponent(sessionId)}/share`, { method: 'DELETE' });
}

/** A shared session's read-only view: a public route, so no credential goes with it. */
export function getShared(token: string): Promise<SharedView> {
  return call(`/v1/shared/${encodeURIComponent(token)}`, { cache: 'no-store', anonymous: true });
}

// Transforms.

/** Files up to this size go in the request; larger ones by presigned upload (the API's own cap is 4 MiB). */
export const DIRECT_UPLOAD_BYTES = 4 * 1024 * 1024;

/** How far a presigned upload has got, in bytes. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Uploads a CSV or XLSX file (an XLSX's `sheet`, else its first): a small file in the request, a
 * large one straight to storage through the presigned form the API hands out, its progress told to
 * `onProgress`, and then made a dataset.
 */
export async function uploadDataset(
  file: File,
  sheet?: string,
  onProgress?: UploadProgress,
): Promise<DatasetUpload> {
  if (file.size <= DIRECT_UPLOAD_BYTES) {
    const form = new FormData();
    form.set('file', file, file.name);
    const query = sheet ? `?${new URLSearchParams({ sheet })}` : '';
    return call(`/v1/datasets${query}`, { method: 'POST', body: form });
  }
  const grant = await call<UploadGrant>('/v1/datasets/uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: file.name, bytes: file.size }),
  });
  await postForm(grant.upload, file, onProgress);
  return call('/v1/datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uploadId: grant.uploadId, ...(sheet ? { sheet } : {}) }),
  });
}

interface UploadGrant {
  uploadId: string;
  upload: { url: string; fields: Record<string, string>; maxBytes: number };
}

/**
 * Posts the file to a presigned form, the fields first and the file last, as S3 requires. By
 * XMLHttpRequest, the one browser API that reports an upload's progress.
 */
function postForm(
  upload: UploadGrant['upload'],
  file: File,
  onProgress: UploadProgress | undefined,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(Math.min(event.loaded, file.size), file.size);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress?.(file.size, file.size);
        resolve();
        return;
      }
      // S3 answers in XML: <Error><Code>EntityTooLarge</Code>…
      const code = /<Code>([^<]+)<\/Code>/.exec(request.responseText)?.[1];
      reject(
        new ApiError(
          `the storage refused the file (${code ?? `HTTP ${request.status}`})`,
          request.status,
          'file',
        ),
      );
    };
    request.onerror = () => reject(new ApiError('the file could not be sent to storage', 0, 'file'));
    request.send(form);
  });
}

/** A streamed answer that stopped with the server's reason (e.g. an instruction it cannot read). */
export class StreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamError';
  }
}

/**
 * POSTs to one of the text streams (on `streamUrl`: another origin in AWS) and hands each chunk to
 * `onChunk` as it arrives; resolves with the whole text once the stream says it is done.
 */
async function streamText(
  path: string,
  body: object,
  onChunk: (chunk: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const { streamUrl } = await loadConfig();
  const response = await send(`${streamUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok || !response.body) throw refusal(response, parsed(await response.text()), false);
  let text = '';
  for await (const data of readEventData(response.body)) {
    const event = parseTextStreamEvent(data);
    if (event.error !== undefined) throw new StreamError(event.error);
    if (event.chunk) {
      text += event.chunk;
      onChunk(event.chunk);
    }
    if (event.done) return text;
  }
  throw new StreamError('the stream ended before it said it was done');
}

/** Streams the specification an instruction reads as, for this dataset. */
export function refineInstruction(
  datasetId: string,
  instruction: string,
  onChunk: (chunk: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  return streamText('/v1/transforms/refine', { datasetId, instruction }, onChunk, signal);
}

/** Streams a Python program for a specification. */
export function generateCode(
  datasetId: string,
  spec: string,
  onChunk: (chunk: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  return streamText('/v1/transforms/generate', { datasetId, spec }, onChunk, signal);
}

export function postTransform(request: TransformRequest): Promise<{ jobId: string; status: string }> {
  return call('/v1/transforms', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
}

export function getTransform(jobId: string): Promise<TransformJob> {
  return call(`/v1/transforms/${encodeURIComponent(jobId)}`, { cache: 'no-store' });
}

/** The winner's whole output as CSV (fetched with the credential a plain link could not send). */
export async function downloadTransformCsv(jobId: string): Promise<Blob> {
  const { apiUrl } = await loadConfig();
  const response = await send(`${apiUrl}/v1/transforms/${encodeURIComponent(jobId)}/output.csv`, {
    cache: 'no-store',
  });
  if (!response.ok) throw refusal(response, parsed(await response.text()), false);
  return response.blob();
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
