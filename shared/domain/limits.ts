import { RequestTooLargeError } from './errors.js';

/**
 * Sizes the platform enforces, kept the same locally so what works on a laptop works in AWS.
 *
 * - A request body reaches the HTTP API function inside its event, escaped once more as a JSON string
 *   (up to twice its size) or base64-encoded (4/3), and Lambda accepts at most 6 MB per synchronous
 *   invocation: 2.5 MiB of body stays under that with the headers, whatever the body holds.
 * - API Gateway's WebSocket API takes frames of at most 32 KB; `ws` and most clients send a message as
 *   one frame, so a message is capped at that (larger programs go through POST /v1/fixes), and every
 *   event the engine pushes stays under it (large results by reference: the client fetches them).
 */
export const MAX_REQUEST_BODY_BYTES = 2.5 * 1024 * 1024;

/** The refusal of a body over MAX_REQUEST_BODY_BYTES, whether the function or the local gateway finds it. */
export function requestBodyTooLarge(): RequestTooLargeError {
  return new RequestTooLargeError('the request body exceeds 2.5 MiB', 'body');
}
/**
 * Connections that may follow one session at once. They are kept on the session's own item (so every
 * write to the session returns who to tell), and DynamoDB items hold at most 400 KB.
 */
export const MAX_SUBSCRIBERS = 100;

// "32 KB" in the quota table: taken as 32,000 bytes, the stricter reading.
export const MAX_WS_MESSAGE_BYTES = 32_000;

/**
 * The largest output CSV a transform run may leave: it goes up by presigned upload (S3 takes far
 * more); the cap keeps a run's disk and the sandbox function's memory bounded.
 */
export const MAX_TRANSFORM_OUTPUT_BYTES = 50 * 1024 * 1024;

/**
 * A dataset sent in the request itself: API Gateway passes a multipart body to the function
 * base64-encoded (4/3 of it), and Lambda takes at most 6 MB per synchronous invocation, so 4 MiB of
 * file (with the form's framing) stays under that. Larger files go by presigned upload.
 */
export const MAX_DIRECT_UPLOAD_BYTES = 4 * 1024 * 1024;
/** The multipart framing and fields around a directly uploaded file. */
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;
/**
 * A dataset sent by presigned upload (S3's POST policy enforces the size declared, up to this). The
 * function that reads it back (the HTTP API's, given the memory for it) parses 50 MiB inside API
 * Gateway's 30 s.
 */
export const MAX_PRESIGNED_UPLOAD_BYTES = 50 * 1024 * 1024;
/** How long a presigned upload's form is accepted. */
export const UPLOAD_FORM_EXPIRY_S = 15 * 60;
/** How long an upload's bytes are kept to be made datasets: the bucket's `uploads/` rule is one day. */
export const UPLOAD_TTL_HOURS = 24;

/** The refusal of a file over MAX_DIRECT_UPLOAD_BYTES, by the function or the local gateway. */
export function fileTooLarge(): RequestTooLargeError {
  return new RequestTooLargeError(
    'the file exceeds 4 MiB; send a larger one (up to 50 MiB) through POST /v1/datasets/uploads',
    'file',
  );
}
