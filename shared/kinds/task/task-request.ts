import { z } from 'zod';
import { InvalidRequestError } from '../../domain/errors.js';
import { parseRequestBody } from '../../domain/request-validation.js';
import { TASK_NAME } from '../../domain/task-name.js';
import { DataUriError, parseDataUri } from './data-uri.js';

/** One attachment's decoded size; all of them together stay within a Lambda request (see limits). */
export const MAX_ATTACHMENT_BYTES = 1536 * 1024;
export const MAX_ATTACHMENTS_BYTES = 1792 * 1024;
export const MAX_BRIEF_BYTES = 64 * 1024;
export const MAX_CHECKS = 100;

/** A file name a site can hold as is: no directories, no traversal, no NUL, no hidden files. */
const SAFE_FILE_NAME = /^(?!\.)[A-Za-z0-9._ -]{1,128}$/;

export interface Attachment {
  name: string;
  mediaType: string;
  bytes: Buffer;
}

/** The evaluator's task, validated and with its attachments decoded. */
export interface TaskRequest {
  email: string;
  task: string;
  round: number;
  nonce: string;
  brief: string;
  checks: string[];
  evaluationUrl: string;
  attachments: Attachment[];
}

function evaluationUrl(allowLoopback: boolean) {
  return z.string({ error: 'evaluation_url must be a string' }).superRefine((value, context) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'evaluation_url must be a URL' });
      return;
    }
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (url.protocol === 'https:' && !loopback) return;
    if (allowLoopback && loopback && (url.protocol === 'http:' || url.protocol === 'https:')) return;
    context.addIssue({
      code: 'custom',
      message: allowLoopback
        ? 'evaluation_url must be an https URL or a loopback URL'
        : 'evaluation_url must be an https URL',
    });
  });
}

function schema(allowLoopback: boolean) {
  return z.object({
    email: z.string({ error: 'email must be a string' }).email('email must be an email address'),
    secret: z.string({ error: 'secret must be a string' }),
    task: z
      .string({ error: 'task must be a string' })
      .regex(TASK_NAME, 'task must be 1 to 100 letters, digits, "-", "_" or "."'),
    round: z
      .number({ error: 'round must be a number' })
      .int('round must be a whole number')
      .min(1, 'round must be 1 or more'),
    nonce: z.string({ error: 'nonce must be a string' }).min(1, 'nonce must not be empty').max(200),
    brief: z
      .string({ error: 'brief must be a string' })
      .min(1, 'brief must not be empty')
      .refine((text) => Buffer.byteLength(text) <= MAX_BRIEF_BYTES, 'brief exceeds 64 KiB'),
    checks: z
      .array(z.string({ error: 'each check must be a string' }).trim().min(1, 'a check must not be empty'), {
        error: 'checks must be an array of strings',
      })
      .min(1, 'checks must not be empty')
      .max(MAX_CHECKS, `checks must hold at most ${MAX_CHECKS}`),
    evaluation_url: evaluationUrl(allowLoopback),
    attachments: z
      .array(
        z.object({
          name: z
            .string({ error: 'name must be a string' })
            .regex(SAFE_FILE_NAME, 'name must be a plain file name (no "/", "..", NUL or leading ".")'),
          url: z.string({ error: 'url must be a data: URI' }),
        }),
        { error: 'attachments must be an array' },
      )
      .default([]),
  });
}

export type RawTaskRequest = z.infer<ReturnType<typeof schema>>;

/**
 * Validates the evaluator's request: an InvalidRequestError names the first offending field (the
 * secret is checked elsewhere, in constant time, and never echoed).
 */
export function parseTaskRequest(
  body: unknown,
  options: { allowLoopbackCallback: boolean },
): {
  request: TaskRequest;
  secret: string;
} {
  const raw = parseRequestBody(schema(options.allowLoopbackCallback), body);
  const seen = new Set<string>();
  let total = 0;
  const attachments = raw.attachments.map((attachment, index): Attachment => {
    if (seen.has(attachment.name)) {
      throw new InvalidRequestError(
        `attachment ${attachment.name} is named twice`,
        `attachments.${index}.name`,
      );
    }
    seen.add(attachment.name);
    let decoded: ReturnType<typeof parseDataUri>;
    try {
      decoded = parseDataUri(attachment.url);
    } catch (error) {
      if (!(error instanceof DataUriError)) throw error;
      throw new InvalidRequestError(
        `attachment ${attachment.name} ${error.message}`,
        `attachments.${index}.url`,
      );
    }
    if (decoded.bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new InvalidRequestError(
        `attachment ${attachment.name} exceeds 1.5 MiB`,
        `attachments.${index}.url`,
      );
    }
    total += decoded.bytes.length;
    if (total > MAX_ATTACHMENTS_BYTES) {
      throw new InvalidRequestError('attachments exceed 1.75 MiB in all', `attachments.${index}.url`);
    }
    return { name: attachment.name, mediaType: decoded.mediaType, bytes: decoded.bytes };
  });
  return {
    secret: raw.secret,
    request: {
      email: raw.email,
      task: raw.task,
      round: raw.round,
      nonce: raw.nonce,
      brief: raw.brief,
      checks: raw.checks,
      evaluationUrl: raw.evaluation_url,
      attachments,
    },
  };
}
