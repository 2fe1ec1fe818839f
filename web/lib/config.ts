// Runtime configuration: /config.json → { apiUrl, wsUrl, streamUrl?, auth }. Empty apiUrl: same origin; empty
// wsUrl: ws(s)://<host>/ws from the page's location. `auth` says how a user signs in: `auto` (the
// local stack signs every request in as its default user), `oauth` (an authorization-code + PKCE
// flow against Cognito's hosted UI, or the local issuer that speaks the same endpoints), or absent
// (`none`: an API that asks for no credential).

import type { AutoSignIn, OAuthSignIn } from '../../shared/edge/console-config';

export type AuthUser = AutoSignIn['user'];

/** What `/config.json` says (the engine's type), resolved: URLs absolute, and `none` when it says nothing. */
export type AuthConfig = { mode: 'none' } | AutoSignIn | OAuthSignIn;

export interface ConsoleConfig {
  apiUrl: string;
  wsUrl: string;
  /** Where the streamed answers (refine, generate) are POSTed: the API's origin unless said. */
  streamUrl: string;
  auth: AuthConfig;
}

interface RawConfig {
  apiUrl?: string;
  wsUrl?: string;
  streamUrl?: string;
  auth?: Record<string, unknown>;
}

let loaded: Promise<ConsoleConfig> | undefined;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An endpoint as the browser calls it: relative URLs are the page's own origin's. */
function absolute(url: string, location: Location): string {
  return new URL(url, location.origin).toString();
}

export function resolveAuth(raw: Record<string, unknown> | undefined, location: Location): AuthConfig {
  if (raw?.mode === 'auto') {
    const user = (raw.user ?? {}) as Record<string, unknown>;
    return {
      mode: 'auto',
      user: { id: text(user.id) || 'local-user', name: text(user.name) || 'Local user' },
    };
  }
  if (raw?.mode === 'oauth') {
    const authorizeUrl = text(raw.authorizeUrl);
    const tokenUrl = text(raw.tokenUrl);
    const clientId = text(raw.clientId);
    if (!authorizeUrl || !tokenUrl || !clientId) return { mode: 'none' };
    return {
      mode: 'oauth',
      authorizeUrl: absolute(authorizeUrl, location),
      tokenUrl: absolute(tokenUrl, location),
      logoutUrl: text(raw.logoutUrl) ? absolute(text(raw.logoutUrl), location) : '',
      clientId,
      scopes: Array.isArray(raw.scopes)
        ? raw.scopes.filter((s): s is string => typeof s === 'string')
        : ['openid'],
    };
  }
  return { mode: 'none' };
}

export function resolveConfig(raw: RawConfig, location: Location): ConsoleConfig {
  const apiUrl = (raw.apiUrl ?? '').replace(/\/+$/, '');
  const wsUrl = raw.wsUrl
    ? raw.wsUrl
    : `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  const streamUrl = raw.streamUrl ? raw.streamUrl.replace(/\/+$/, '') : apiUrl;
  return { apiUrl, wsUrl, streamUrl, auth: resolveAuth(raw.auth, location) };
}

export function loadConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch('/config.json', { cache: 'no-cache' })
    .then((response) => (response.ok ? (response.json() as Promise<RawConfig>) : {}))
    .catch(() => ({}))
    .then((raw) => resolveConfig(raw, window.location));
  return loaded;
}
