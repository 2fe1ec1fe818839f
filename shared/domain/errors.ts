/**
 * What the engine refuses, said in its own words. Each is the client's doing, so its message is
 * safe to show; how a refusal is answered (a status code, an `error` event) is the edge's business.
 */

/** A request that breaks a rule of its schema; `field` names the first offending one (`body` for the whole). */
export class InvalidRequestError extends Error {
  readonly field: string;

  constructor(message: string, field: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidRequestError';
    this.field = field;
  }
}

/** A request, or one of its parts named by `field`, larger than the platform can carry. */
export class RequestTooLargeError extends Error {
  readonly field: string;

  constructor(message: string, field: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RequestTooLargeError';
    this.field = field;
  }
}

/** What the request asks for does not exist here. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * No session answers to the id. Without an id the message names none: an id that is not even
 * shaped like a session's is not echoed back.
 */
export class UnknownSessionError extends NotFoundError {
  readonly sessionId: string | undefined;

  constructor(sessionId?: string) {
    super(sessionId === undefined ? 'no such session' : `no session ${sessionId}`);
    this.name = 'UnknownSessionError';
    this.sessionId = sessionId;
  }
}

/**
 * The request conflicts with the state of what it names (`field`): answered 409, whatever the
 * conflict. The kinds below say which.
 */
export class ConflictError extends Error {
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.name = 'ConflictError';
    this.field = field;
  }
}

/**
 * A key that makes a retry safe (`field`: the header or field that carries it) already bound to a
 * different request: a retry must send the same one.
 */
export class IdempotencyConflictError extends ConflictError {
  override readonly name = 'IdempotencyConflictError';
}

/** A resource not in a state to take the request yet: an upload claimed before its bytes arrived. */
export class NotReadyError extends ConflictError {
  override readonly name = 'NotReadyError';
}

/** A shared secret missing or wrong; the message says which, never what was expected. */
export class SecretRefusedError extends Error {
  readonly field = 'secret';

  constructor(message: string) {
    super(message);
    this.name = 'SecretRefusedError';
  }
}

/** A session already followed by as many connections as it takes (MAX_SUBSCRIBERS). */
export class TooManySubscribersError extends Error {
  readonly field = 'sessionId';

  constructor(message: string) {
    super(message);
    this.name = 'TooManySubscribersError';
  }
}

/** A source that has sent too many wrong secrets lately: turned away until its window passes. */
export class TooManyRefusalsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooManyRefusalsError';
  }
}

/** No credential, or one that does not prove who is calling (bad signature, wrong issuer, expired, revoked). */
export class UnauthenticatedError extends Error {
  constructor(message = 'sign in first: send a bearer token or an API key') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** A signed-in caller asking for what their kind of credential may not do (an API key making keys). */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The caller's daily verification allowance is used up until `resetsAt`. */
export class QuotaExceededError extends Error {
  readonly resetsAt: Date;

  constructor(allowance: number, resetsAt: Date) {
    super(
      `your ${allowance} verifications for today are used (or in flight); more from ${resetsAt.toISOString()}`,
    );
    this.name = 'QuotaExceededError';
    this.resetsAt = resetsAt;
  }
}
