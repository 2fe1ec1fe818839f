/**
 * What the web console reads from `/config.json`, said once: the local stack and the CDK
 * deployment write it, the console reads it (as a type-only import).
 */

/** The local stack with AUTH=auto signs every request without a credential in as this user. */
export interface AutoSignIn {
  readonly mode: 'auto';
  readonly user: { readonly id: string; readonly name: string };
}

/**
 * Sign-in by the OAuth 2.0 authorization-code flow with PKCE: Cognito's hosted UI in AWS, the local
 * issuer's same endpoints locally (relative URLs are the page's own origin's).
 */
export interface OAuthSignIn {
  readonly mode: 'oauth';
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly logoutUrl: string;
  /** The public app client the console signs in as. */
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export type ConsoleSignIn = AutoSignIn | OAuthSignIn;

export interface ConsoleConfigFile {
  /** The HTTP API's base URL (empty: the page's own origin). */
  readonly apiUrl: string;
  /** The WebSocket URL (empty: `/ws` on the page's own host). */
  readonly wsUrl: string;
  /** Where the text streams are served (AWS: the streaming function's URL; absent: the API's). */
  readonly streamUrl?: string;
  readonly auth?: ConsoleSignIn;
}
