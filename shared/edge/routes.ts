/**
 * Every route the HTTP API serves, said once: the CDK stack adds these routes (with the authorizer
 * on every `user` route) and the local gateway authorizes by the same table, so the two cannot
 * drift. `public` routes carry no credential; `secret` routes authenticate by the evaluator's shared
 * secret inside the handler.
 */
export type RouteAuth = 'user' | 'public' | 'secret';
export type RouteMethod = 'GET' | 'POST' | 'DELETE';

export interface HttpRoute {
  readonly method: RouteMethod;
  /** API Gateway's path template: `{name}` is one path segment. */
  readonly path: string;
  readonly auth: RouteAuth;
  /**
   * Served as a stream: in AWS by the streaming function's URL, not the HTTP API (which buffers a
   * whole response); locally by the gateway on the same origin. Such a route checks its bearer itself.
   */
  readonly stream?: true;
}

export const HTTP_ROUTES: readonly HttpRoute[] = [
  { method: 'GET', path: '/health', auth: 'public' },
  { method: 'GET', path: '/v1/me', auth: 'user' },
  { method: 'POST', path: '/v1/keys', auth: 'user' },
  { method: 'GET', path: '/v1/keys', auth: 'user' },
  { method: 'DELETE', path: '/v1/keys/{keyId}', auth: 'user' },
  { method: 'POST', path: '/v1/fixes', auth: 'user' },
  { method: 'GET', path: '/v1/fixes', auth: 'user' },
  { method: 'GET', path: '/v1/fixes/{sessionId}', auth: 'user' },
  { method: 'POST', path: '/v1/fixes/{sessionId}/share', auth: 'user' },
  { method: 'DELETE', path: '/v1/fixes/{sessionId}/share', auth: 'user' },
  { method: 'GET', path: '/v1/shared/{token}', auth: 'public' },
  { method: 'POST', path: '/v1/tasks', auth: 'secret' },
  { method: 'GET', path: '/v1/tasks/{task}/rounds/{round}', auth: 'user' },
  { method: 'POST', path: '/v1/datasets', auth: 'user' },
  { method: 'POST', path: '/v1/datasets/uploads', auth: 'user' },
  { method: 'GET', path: '/v1/datasets/{datasetId}', auth: 'user' },
  { method: 'POST', path: '/v1/transforms/refine', auth: 'user', stream: true },
  { method: 'POST', path: '/v1/transforms/generate', auth: 'user', stream: true },
  { method: 'POST', path: '/v1/transforms', auth: 'user' },
  { method: 'GET', path: '/v1/transforms/{jobId}', auth: 'user' },
  { method: 'GET', path: '/v1/transforms/{jobId}/output.csv', auth: 'user' },
];

export interface MatchedRoute {
  route: HttpRoute;
  /** The template's `{name}` segments, URL-decoded (a malformed escape is kept as sent, for the route to refuse). */
  params: Record<string, string>;
}

const compiled = HTTP_ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/\{([A-Za-z]+)\}/g, (_whole, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
});

/** The route a request names, as API Gateway matches it (exact method and path template), or undefined. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const { route, names, regex } of compiled) {
    if (route.method !== method) continue;
    const found = regex.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    names.forEach((name, at) => {
      params[name] = decodeSegment(found[at + 1] ?? '');
    });
    return { route, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
