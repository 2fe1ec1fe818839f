import type { Attachment, TaskRequest } from './task-request.js';

/** A task request as the store keeps it: JSON-safe, its attachments in base64. */
export interface StoredTask extends Omit<TaskRequest, 'attachments'> {
  attachments: Array<Omit<Attachment, 'bytes'> & { base64: string }>;
}

export function toStoredTask(request: TaskRequest): StoredTask {
  return {
    ...request,
    attachments: request.attachments.map(({ bytes, ...rest }) => ({
      ...rest,
      base64: bytes.toString('base64'),
    })),
  };
}

export function fromStoredTask(stored: StoredTask): TaskRequest {
  return {
    ...stored,
    attachments: stored.attachments.map(({ base64, ...rest }) => ({
      ...rest,
      bytes: Buffer.from(base64, 'base64'),
    })),
  };
}
