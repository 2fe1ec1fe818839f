import { apiKeyHash, isApiKeyShaped, isWellFormedApiKey, sameHash } from '../domain/api-key.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { TokenVerifier } from '../ports/token-verifier.js';
import type { UserStore } from '../ports/user-store.js';

export interface AuthenticateDeps {
  tokens: TokenVerifier;
  users: Pick<UserStore, 'findApiKey'>;
}

/** Longest credential looked at: an ID token is a few KiB; anything longer is refused unread. */
const MAX_CREDENTIAL_CHARS = 16 * 1024;

/** The credential of an `Authorization: Bearer <credential>` header, or undefined. */
export function bearerCredential(header: string | undefined): string | undefined {
  const found = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  return found?.[1];
}

/**
 * Who a credential proves the caller to be: an API key (`te_…`, looked up by its hash) or an ID
 * token (verified against the configured issuer). Throws UnauthenticatedError for anything else.
 */
export async function authenticate(
  deps: AuthenticateDeps,
  credential: string | undefined,
): Promise<Principal> {
  if (credential === undefined || credential === '') throw new UnauthenticatedError();
  if (credential.length > MAX_CREDENTIAL_CHARS) throw new UnauthenticatedError('the credential is too long');
  if (isApiKeyShaped(credential)) {
    if (!isWellFormedApiKey(credential)) throw new UnauthenticatedError('that is not an API key');
    const hash = apiKeyHash(credential);
    const key = await deps.users.findApiKey(hash);
    if (!key || !sameHash(key.hash, hash))
      throw new UnauthenticatedError('the API key is revoked or unknown');
    return { userId: key.userId, via: 'key' };
  }
  return deps.tokens.verify(credential);
}
