import { randomBytes } from 'node:crypto';
import { NotFoundError, NotReadyError, RequestTooLargeError } from '../../../domain/errors.js';
import {
  MAX_PRESIGNED_UPLOAD_BYTES,
  UPLOAD_FORM_EXPIRY_S,
  UPLOAD_TTL_HOURS,
} from '../../../domain/limits.js';
import type { Principal } from '../../../domain/principal.js';
import type { Upload } from '../../../domain/sandbox-job.js';
import type { PendingUpload } from '../dataset.js';
import type { DatasetStore } from '../dataset-store.js';
import { formatByName } from '../file-sniff.js';
import type { DatasetFromUploadRequest, UploadRequest } from '../upload-request.js';
import { type DatasetView, type UploadDatasetDeps, uploadDataset } from './upload-dataset.js';

/** What a client is handed to send its file: the upload's id and the form to post it with. */
export interface UploadGrant {
  uploadId: string;
  /** POST a multipart form to `url`: every field of `fields`, then the file as `file`, last. */
  upload: Upload;
  /** Until when the form is accepted. */
  uploadBy: string;
  /** Until when the bytes, once sent, can be made a dataset. */
  expiresAt: string;
}

/**
 * The first step of a large upload, which would not fit a request to a function: the client says
 * what it will send, and is given a presigned form for exactly that many bytes at most. Its name's
 * extension is checked now, its bytes when they are made a dataset.
 */
export async function requestUpload(
  deps: { datasets: Pick<DatasetStore, 'putUpload'> },
  request: UploadRequest,
  owner: Principal,
): Promise<UploadGrant> {
  formatByName(request.filename, 'filename');
  if (request.bytes > MAX_PRESIGNED_UPLOAD_BYTES) {
    throw new RequestTooLargeError(
      `the file is ${request.bytes} bytes; at most ${MAX_PRESIGNED_UPLOAD_BYTES} (50 MiB) are taken`,
      'bytes',
    );
  }
  const now = Date.now();
  const pending: PendingUpload = {
    uploadId: `up_${randomBytes(16).toString('base64url')}`,
    owner: owner.userId,
    filename: request.filename,
    bytes: request.bytes,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + UPLOAD_TTL_HOURS * 60 * 60 * 1000).toISOString(),
  };
  const upload = await deps.datasets.putUpload(pending, UPLOAD_FORM_EXPIRY_S);
  return {
    uploadId: pending.uploadId,
    upload,
    uploadBy: new Date(now + UPLOAD_FORM_EXPIRY_S * 1000).toISOString(),
    expiresAt: pending.expiresAt,
  };
}

/**
 * The second step: the bytes that arrived for the caller's upload, taken in as any upload is. The
 * upload stays until it expires, so a workbook's other sheets can be made datasets of it too.
 */
export async function datasetFromUpload(
  deps: UploadDatasetDeps & { datasets: Pick<DatasetStore, 'getUpload' | 'readUpload'> },
  request: DatasetFromUploadRequest,
  owner: Principal,
): Promise<DatasetView> {
  const pending = await deps.datasets.getUpload(request.uploadId);
  if (!pending || pending.owner !== owner.userId) throw new NotFoundError('no such upload');
  const bytes = await deps.datasets.readUpload(request.uploadId);
  if (bytes === undefined) {
    throw new NotReadyError(
      'nothing has been uploaded for this upload yet: POST the file to its form first',
      'uploadId',
    );
  }
  return uploadDataset(
    deps,
    {
      filename: pending.filename,
      bytes,
      ...(request.sheet === undefined ? {} : { sheet: request.sheet }),
    },
    owner,
  );
}
