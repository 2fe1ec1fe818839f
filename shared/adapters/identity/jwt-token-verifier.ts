import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwtBaseError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { UnauthenticatedError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { TokenVerifier } from '../../ports/token-verifier.js';

/** How long fetching the issuer's keys may take: an authorizer has little time, and the keys are cached. */
const JWKS_TIMEOUT_MS = 3000;

/**
 * Fetches the JWKS with the platform's fetch, so the same verifier reads Cognito's keys over HTTPS
 * in AWS and the local issuer's over loopback HTTP (the library's own fetcher speaks HTTPS only).
 */
class PlatformFetcher {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
    if (!response.ok) throw new FetchError(uri, `the JWKS answered ${response.status}`);
    return response.arrayBuffer();
  }
}

export interface JwtIssuerSettings {
  issuer: string;
  /** The app client the ID tokens are issued to (`aud`). */
  audience: string;
  jwksUri: string;
}

/**
 * Verifies ID tokens of one issuer with aws-jwt-verify: RS256 signature by a key of the issuer's
 * JWKS (cached, refetched for an unknown `kid`), `iss`, `aud`, `exp`/`nbf`, and — as Cognito marks
 * them — `token_use: id` when the token says what it is for.
 */
export class JwtTokenVerifier implements TokenVerifier {
  private readonly verifier;

  constructor(settings: JwtIssuerSettings) {
    this.verifier = JwtVerifier.create(
      {
        issuer: settings.issuer,
        audience: settings.audience,
        jwksUri: settings.jwksUri,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== undefined && payload.token_use !== 'id') {
            throw new UnauthenticatedError('send an ID token, not an access token');
          }
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher: new PlatformFetcher() }) },
    );
  }

  async verify(token: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      payload = (await this.verifier.verify(token)) as Record<string, unknown>;
    } catch (error) {
      // The issuer's keys out of reach is our fault, not the caller's.
      if (error instanceof FetchError) throw error;
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof JwtBaseError)
        throw new UnauthenticatedError(`the token was refused: ${error.message}`);
      throw error;
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthenticatedError('the token names no subject');
    }
    const name =
      stringClaim(payload.name) ?? stringClaim(payload['cognito:username']) ?? stringClaim(payload.email);
    const email = stringClaim(payload.email);
    return {
      userId: payload.sub,
      via: 'token',
      ...(name === undefined ? {} : { name }),
      ...(email === undefined ? {} : { email }),
    };
  }
}

const stringClaim = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, 200) : undefined;
