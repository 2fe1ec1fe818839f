/**
 * Errors that reach an HTTP or WebSocket caller. `expose` marks them safe to show; the message is
 * JSON so the edge can send it as the response body unchanged.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly expose = true;
  readonly body: { error: string; field?: string };

  constructor(statusCode: number, error: string, field?: string, options?: ErrorOptions) {
    const body = field === undefined ? { error } : { error, field };
    super(JSON.stringify(body), options);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

export class BadRequestError extends HttpError {
  constructor(error: string, field?: string, options?: ErrorOptions) {
    super(400, error, field, options);
    this.name = 'BadRequestError';
  }
}

export class NotFoundError extends HttpError {
  constructor(error: string, options?: ErrorOptions) {
    super(404, error, undefined, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends HttpError {
  constructor(error: string, field?: string, options?: ErrorOptions) {
    super(409, error, field, options);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(error: string, field?: string, options?: ErrorOptions) {
    super(413, error, field, options);
    this.name = 'PayloadTooLargeError';
  }
}
