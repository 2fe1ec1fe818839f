import { NotFoundError } from '../domain/errors.js';

/** A method and path the HTTP API does not serve: the edge's own refusal, answered as any not-found. */
export class UnknownRouteError extends NotFoundError {
  constructor(method: string, path: string) {
    super(`no route for ${method} ${path}`);
    this.name = 'UnknownRouteError';
  }
}
