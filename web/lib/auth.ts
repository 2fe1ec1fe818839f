// Signing in: the OAuth 2.0 authorization-code flow with PKCE (S256) against the configured
// authorize and token endpoints — Cognito's hosted UI in AWS, the local issuer locally (same
// endpoints). The credential (the ID token, or a pasted API key) lives in sessionStorage: it ends
// with the tab, and every API call and the WebSocket carry it.
import type { AuthConfig } from './config';

const CREDENTIAL = 'te.credential';
const PENDING = 'te.signin';
export const CALLBACK_PATH = '/auth/callback';

export interface Credential {
  token: string;
  via: 'token' | 'key';
  /** When an ID token expires (ms since the epoch); API keys do not. */
  expiresAt?: number;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  redirectUri: string;
  returnTo: string;
}

type OAuthConfig = Extract<AuthConfig, { mode: 'oauth' }>;

/** The problem a sign-in ran into, said to the user as it is. */
export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.sessionStorage;
  } catch {
    return undefined;
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The code challenge for a verifier: base64url(SHA-256(verifier)) (RFC 7636, S256). */
export async function codeChallenge(verifier: string): Promise<string> {
  if (!crypto.subtle)
    throw new SignInError('signing in needs a secure page (https, or http on localhost/127.0.0.1)');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The `exp` of a JWT (ms), or undefined when it has none or is not a JWT. */
function expiryOf(jwt: string): number | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The stored credential, unless it expired (then it is dropped). */
export function currentCredential(): Credential | null {
  const raw = storage()?.getItem(CREDENTIAL);
  if (!raw) return null;
  try {
    const credential = JSON.parse(raw) as Credential;
    if (typeof credential.token !== 'string' || !credential.token) throw new Error('no token');
    if (credential.expiresAt !== undefined && credential.expiresAt <= Date.now()) throw new Error('expired');
    return credential;
  } catch {
    storage()?.removeItem(CREDENTIAL);
    return null;
  }
}

export function currentToken(): string | null {
  return currentCredential()?.token ?? null;
}

export function forgetCredential(): void {
  storage()?.removeItem(CREDENTIAL);
}

function keep(credential: Credential): void {
  storage()?.setItem(CREDENTIAL, JSON.stringify(credential));
}

export const API_KEY = /^te_[A-Za-z0-9_-]{43}$/;

/** Keeps a pasted API key as the credential (the caller checks it with GET /v1/me). */
export function keepApiKey(key: string): void {
  const trimmed = key.trim();
  if (!API_KEY.test(trimmed))
    throw new SignInError('an API key is te_ followed by 43 letters, digits, - or _');
  keep({ token: trimmed, via: 'key' });
}

/** Where to come back to: a path on this origin, never the callback itself. */
function safeReturn(path: string): string {
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith(CALLBACK_PATH)) return '/';
  return path;
}

/** Starts the authorization-code flow: remembers state, verifier and the page, then leaves for the authorize endpoint. */
export async function beginSignIn(auth: OAuthConfig, returnTo: string): Promise<void> {
  const verifier = randomText(48);
  const state = randomText(24);
  const redirectUri = `${window.location.origin}${CALLBACK_PATH}`;
  const challenge = await codeChallenge(verifier);
  const pending: PendingSignIn = { state, verifier, redirectUri, returnTo: safeReturn(returnTo) };
  storage()?.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(auth.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: auth.scopes.join(' '),
  }).toString();
  window.location.assign(url.toString());
}

let completing: Promise<string> | undefined;

/**
 * Ends the flow on the callback page: checks `state`, exchanges the code (form-encoded POST to the
 * token endpoint, with the verifier) and keeps the ID token. Resolves to the page to go back to.
 */
export function completeSignIn(auth: OAuthConfig, search: string): Promise<string> {
  completing ??= exchange(auth, search);
  return completing;
}

async function exchange(auth: OAuthConfig, search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const raw = storage()?.getItem(PENDING);
  storage()?.removeItem(PENDING);
  const refused = params.get('error');
  if (refused) throw new SignInError(`sign-in was refused: ${params.get('error_description') ?? refused}`);
  const code = params.get('code');
  if (!code) throw new SignInError('the sign-in answer carries no code');
  let pending: PendingSignIn;
  try {
    pending = JSON.parse(raw ?? '') as PendingSignIn;
  } catch {
    throw new SignInError('no sign-in was started in this tab: sign in again');
  }
  if (!pending.state || params.get('state') !== pending.state)
    throw new SignInError('the sign-in answer does not match the sign-in this tab started: sign in again');
  let response: Response;
  try {
    response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: auth.clientId,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.verifier,
      }).toString(),
    });
  } catch (error) {
    throw new SignInError(`the token endpoint could not be reached (${String(error)})`);
  }
  const body = (await response.json().catch(() => ({}))) as {
    id_token?: unknown;
    expires_in?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  if (!response.ok || typeof body.id_token !== 'string') {
    const reason = typeof body.error_description === 'string' ? body.error_description : body.error;
    throw new SignInError(
      `the token endpoint refused the code (${response.status}${reason ? `: ${reason}` : ''})`,
    );
  }
  const expiresAt =
    expiryOf(body.id_token) ??
    (typeof body.expires_in === 'number' ? Date.now() + body.expires_in * 1000 : undefined);
  keep({ token: body.id_token, via: 'token', ...(expiresAt === undefined ? {} : { expiresAt }) });
  return pending.returnTo;
}

/** Forgets the credential; with OAuth, also ends the hosted UI's session (it comes back to `/`). */
export function signOut(auth: AuthConfig): void {
  const via = currentCredential()?.via;
  forgetCredential();
  if (auth.mode === 'oauth' && auth.logoutUrl && via !== 'key') {
    const url = new URL(auth.logoutUrl);
    url.search = new URLSearchParams({
      client_id: auth.clientId,
      logout_uri: `${window.location.origin}/`,
    }).toString();
    window.location.assign(url.toString());
    return;
  }
  window.location.assign('/');
}
