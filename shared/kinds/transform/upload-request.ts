import { z } from 'zod';
import { parseRequestBody } from '../../domain/request-validation.js';

/** A client's ask to send a file by presigned upload: its name and its size in bytes. */
export interface UploadRequest {
  filename: string;
  bytes: number;
}

/** A client's ask to make a dataset of a file it sent by presigned upload. */
export interface DatasetFromUploadRequest {
  uploadId: string;
  sheet?: string;
}

/** No path separator and no control character: the name is shown and sent back as a header's filename. */
function isBareName(name: string): boolean {
  return ![...name].some((char) => char === '/' || char === '\\' || (char.codePointAt(0) ?? 0) < 0x20);
}

export const UPLOAD_ID = /^up_[A-Za-z0-9_-]{22}$/;

const uploadRequestSchema = z
  .object({
    filename: z
      .string()
      .trim()
      .min(1, 'filename is empty')
      .max(255, 'filename is longer than 255 characters')
      .refine(isBareName, 'filename must be a bare name, without a path or control characters'),
    bytes: z.number().int('bytes must be a whole number').positive('bytes must be at least 1'),
  })
  .strict();

const datasetFromUploadSchema = z
  .object({
    uploadId: z.string().regex(UPLOAD_ID, 'uploadId is not an upload id'),
    sheet: z.string().min(1, 'sheet is empty').max(255).optional(),
  })
  .strict();

export function parseUploadRequest(body: unknown): UploadRequest {
  return parseRequestBody(uploadRequestSchema, body);
}

export function parseDatasetFromUpload(body: unknown): DatasetFromUploadRequest {
  return parseRequestBody(datasetFromUploadSchema, body);
}
