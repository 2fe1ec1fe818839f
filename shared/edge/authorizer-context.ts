import { z } from 'zod';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';

/**
 * The principal as an authorizer hands it to the route's function: API Gateway passes the context
 * as flat string values (`requestContext.authorizer.lambda` on the HTTP API, `requestContext.authorizer`
 * on the WebSocket API's `$connect`).
 */
export function principalContext(principal: Principal): Record<string, string> {
  return {
    userId: principal.userId,
    via: principal.via,
    ...(principal.name === undefined ? {} : { name: principal.name }),
    ...(principal.email === undefined ? {} : { email: principal.email }),
  };
}

const contextSchema = z.object({
  userId: z.string().min(1),
  via: z.enum(['token', 'key']),
  name: z.string().optional(),
  email: z.string().optional(),
});

/** The principal from an authorizer's context; a route without one was not authorized (a wiring fault). */
export function principalFromContext(context: unknown): Principal {
  const parsed = contextSchema.safeParse(context);
  if (!parsed.success) throw new UnauthenticatedError();
  const { userId, via, name, email } = parsed.data;
  return {
    userId,
    via,
    ...(name === undefined ? {} : { name }),
    ...(email === undefined ? {} : { email }),
  };
}

/** The principal of an HTTP API request whose route has the Lambda authorizer. */
export function httpPrincipal(event: { requestContext: unknown }): Principal {
  const context = event.requestContext as { authorizer?: { lambda?: unknown } };
  return principalFromContext(context.authorizer?.lambda);
}
