import type { Principal } from '../domain/principal.js';

/** Port: proves a bearer token's signature, issuer, audience and lifetime; throws UnauthenticatedError. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}
