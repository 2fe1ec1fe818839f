import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** The app client the local issuer's tokens are for: the console (and the CLI), as Cognito's app client. */
export const LOCAL_CLIENT_ID = 'truth-engine-console';
/** Who `npm start` signs in when a request carries no credential (AUTH=auto). */
export const DEFAULT_LOCAL_USER: LocalUser = { sub: 'local-user', name: 'Local user' };
const TOKEN_TTL_S = 60 * 60;
const CODE_TTL_MS = 60_000;
const ALGORITHM = 'RS256';
type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export interface LocalUser {
  sub: string;
  name: string;
  email?: string;
}

interface Account {
  user: LocalUser;
  salt: Buffer;
  hash: Buffer;
}

interface PendingCode {
  user: LocalUser;
  clientId: string;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}

/**
 * `LOCAL_USERS="alice:secret,bob:other"`: the accounts the local hosted UI signs in (each user's
 * subject is `local:<name>`). Passwords are kept only as scrypt hashes in memory.
 */
export function parseLocalUsers(setting: string | undefined): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const entry of (setting ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf(':');
    const name = entry.slice(0, at).trim();
    const password = entry.slice(at + 1);
    if (at < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(name) || password === '') {
      throw new Error('LOCAL_USERS must be name:password pairs separated by commas');
    }
    const salt = randomBytes(16);
    accounts.set(name, {
      user: { sub: `local:${name}`, name, email: `${name}@localhost` },
      salt,
      hash: scryptSync(password, salt, 32),
    });
  }
  return accounts;
}

/**
 * The local stack's own token issuer, standing in for Cognito: an RS256 key pair kept in the data
 * dir, its public half at `/.well-known/jwks.json`, and the same OAuth 2.0 endpoints as Cognito's
 * hosted UI (`/oauth2/authorize` with PKCE, `/oauth2/token`, `/logout`), so the console signs in
 * the same way on both targets. Tokens are ID tokens shaped as Cognito's (`aud` the client id,
 * `token_use: id`).
 */
export class LocalIssuer {
  private readonly codes = new Map<string, PendingCode>();

  private constructor(
    readonly issuer: string,
    private readonly privateKey: SigningKey,
    private readonly publicJwk: JWK,
    private readonly accounts: Map<string, Account>,
  ) {}

  /** Loads the key pair from `<dataDir>/issuer/signing-key.json`, making one on first use. */
  static async open(options: { dataDir: string; issuer: string; users?: string }): Promise<LocalIssuer> {
    const dir = join(options.dataDir, 'issuer');
    const file = join(dir, 'signing-key.json');
    let privateJwk: JWK;
    try {
      privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    } catch {
      const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
      privateJwk = { ...(await exportJWK(privateKey)), alg: ALGORITHM, use: 'sig' };
      privateJwk.kid = createHash('sha256').update(String(privateJwk.n)).digest('base64url').slice(0, 16);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(file, JSON.stringify(privateJwk), { mode: 0o600 });
      await chmod(file, 0o600);
    }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
    const key = await importJWK(privateJwk, ALGORITHM);
    return new LocalIssuer(options.issuer, key, publicJwk, parseLocalUsers(options.users));
  }

  get jwksUrl(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }

  /** An ID token for the user, as the hosted UI would issue after sign-in. */
  async sign(user: LocalUser, ttlS = TOKEN_TTL_S): Promise<string> {
    return new SignJWT({
      token_use: 'id',
      name: user.name,
      ...(user.email === undefined ? {} : { email: user.email }),
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: String(this.publicJwk.kid), typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(LOCAL_CLIENT_ID)
      .setSubject(user.sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
      .sign(this.privateKey);
  }

  /** Answers the issuer's routes and returns true; false for any other path. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: string | undefined,
  ): Promise<boolean> {
    const method = request.method ?? 'GET';
    if (url.pathname === '/.well-known/jwks.json' && method === 'GET') {
      sendJson(response, 200, { keys: [this.publicJwk] }, { 'cache-control': 'public, max-age=300' });
      return true;
    }
    if (url.pathname === '/oauth2/authorize') {
      if (method === 'GET') this.authorizePage(url, response);
      else if (method === 'POST') this.signIn(url, new URLSearchParams(body ?? ''), response);
      else sendJson(response, 405, { error: 'method_not_allowed' });
      return true;
    }
    if (url.pathname === '/oauth2/token') {
      if (method !== 'POST') sendJson(response, 405, { error: 'method_not_allowed' });
      else await this.token(new URLSearchParams(body ?? ''), response);
      return true;
    }
    if (url.pathname === '/logout' && method === 'GET') {
      const to = url.searchParams.get('logout_uri') ?? '/';
      if (!this.isOwnOrigin(to, url)) {
        sendJson(response, 400, {
          error: 'invalid_request',
          error_description: 'logout_uri is not this origin',
        });
        return true;
      }
      response.writeHead(302, { location: to, 'cache-control': 'no-store' }).end();
      return true;
    }
    return false;
  }

  private authorizeRequest(
    url: URL,
  ): { error: string } | { clientId: string; redirectUri: string; state: string; challenge: string } {
    const params = url.searchParams;
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    if (clientId !== LOCAL_CLIENT_ID) return { error: 'client_id is not this stack’s app client' };
    if (!this.isOwnOrigin(redirectUri, url)) return { error: 'redirect_uri must be on this stack’s origin' };
    if (params.get('response_type') !== 'code') return { error: 'response_type must be code' };
    const challenge = params.get('code_challenge') ?? '';
    if (params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) {
      return { error: 'PKCE is required: code_challenge with code_challenge_method=S256' };
    }
    return { clientId, redirectUri, state: params.get('state') ?? '', challenge };
  }

  private authorizePage(url: URL, response: ServerResponse, failed = false): void {
    const checked = this.authorizeRequest(url);
    if ('error' in checked) {
      sendHtml(response, 400, page('Sign-in refused', `<p class="error">${escapeHtml(checked.error)}</p>`));
      return;
    }
    const accounts = this.accounts.size;
    const form = `
      <form method="post" action="${escapeHtml(`/oauth2/authorize${url.search}`)}">
        <label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" required autofocus>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        ${failed ? '<p class="error" role="alert">Wrong user name or password.</p>' : ''}
        <button type="submit">Sign in</button>
      </form>
      ${accounts === 0 ? '<p class="hint">No accounts are set: start the stack with LOCAL_USERS="name:password,…".</p>' : ''}`;
    sendHtml(response, failed ? 401 : 200, page('Sign in to Truth Engine', form));
  }

  private signIn(url: URL, form: URLSearchParams, response: ServerResponse): void {
    const checked = this.authorizeRequest(url);
    if ('error' in checked) {
      sendHtml(response, 400, page('Sign-in refused', `<p class="error">${escapeHtml(checked.error)}</p>`));
      return;
    }
    const account = this.accounts.get(form.get('username') ?? '');
    const password = form.get('password') ?? '';
    const hash = account ? scryptSync(password, account.salt, 32) : undefined;
    if (!account || !hash || !timingSafeEqual(hash, account.hash)) {
      this.authorizePage(url, response, true);
      return;
    }
    this.sweepCodes();
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      user: account.user,
      clientId: checked.clientId,
      redirectUri: checked.redirectUri,
      challenge: checked.challenge,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const to = new URL(checked.redirectUri);
    to.searchParams.set('code', code);
    if (checked.state) to.searchParams.set('state', checked.state);
    response.writeHead(302, { location: to.toString(), 'cache-control': 'no-store' }).end();
  }

  private async token(form: URLSearchParams, response: ServerResponse): Promise<void> {
    const refuse = (error: string, description: string) =>
      sendJson(response, 400, { error, error_description: description }, { 'cache-control': 'no-store' });
    if (form.get('grant_type') !== 'authorization_code') {
      refuse('unsupported_grant_type', 'only authorization_code is served');
      return;
    }
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    // A code works once, whatever happens next.
    this.codes.delete(code);
    if (!pending || pending.expiresAt < Date.now()) {
      refuse('invalid_grant', 'the code is unknown, used or expired');
      return;
    }
    if (form.get('client_id') !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri) {
      refuse('invalid_grant', 'client_id or redirect_uri differ from the authorization request');
      return;
    }
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!sameText(challenge, pending.challenge)) {
      refuse('invalid_grant', 'the code_verifier does not match the code_challenge');
      return;
    }
    const idToken = await this.sign(pending.user);
    sendJson(
      response,
      200,
      { id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S },
      { 'cache-control': 'no-store' },
    );
  }

  /** Redirects go only back to this stack (any loopback name for it, on its port). */
  private isOwnOrigin(target: string, requestUrl: URL): boolean {
    try {
      const to = new URL(target, requestUrl);
      const own = new URL(this.issuer);
      const loopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
      return to.protocol === own.protocol && to.port === own.port && loopback(to.hostname);
    } catch {
      return false;
    }
  }

  private sweepCodes(): void {
    const now = Date.now();
    for (const [code, pending] of this.codes) if (pending.expiresAt < now) this.codes.delete(code);
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    'x-frame-options': 'DENY',
  });
  response.end(html);
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:flex;justify-content:center;padding-top:10vh}
main{background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:2rem;width:22rem;box-shadow:0 1px 3px #0001}
h1{font-size:1.25rem;margin:0 0 .25rem}p.sub{color:#64748b;margin:0 0 1.25rem;font-size:.875rem}
label{display:block;font-size:.875rem;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #cbd5e1;border-radius:6px}
button{margin-top:1.25rem;width:100%;padding:.6rem;border:0;border-radius:6px;background:#0f172a;color:#fff;font-weight:600}
.error{color:#b91c1c;font-size:.875rem}.hint{color:#64748b;font-size:.8rem}
</style></head><body><main><h1>${escapeHtml(title)}</h1><p class="sub">Local stack sign-in</p>${content}</main></body></html>`;
}
