import { Duration, Fn, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type IUserPoolIdentityProvider,
  OAuthScope,
  ProviderAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolIdentityProviderGoogle,
  UserPoolIdentityProviderOidc,
  VerificationEmailStyle,
} from 'aws-cdk-lib/aws-cognito';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { GitHubIdpConfig, GoogleIdpConfig } from '../config.js';

/** What the console asks for, and what the app client allows: an ID token naming the user. */
export const OAUTH_SCOPES = ['openid', 'email', 'profile'] as const;

/** Where the hosted UI sends the browser back with the code, under the console's origin. */
export const CALLBACK_PATH = '/auth/callback';

/** The provider names Cognito shows on the hosted UI and accepts in `identity_provider=`. */
export const GITHUB_PROVIDER_NAME = 'GitHub';

export interface IdentityProps {
  /**
   * The console's origin (`https://<domain>`, no trailing slash): sign-in returns to
   * `<origin>/auth/callback`, sign-out to `<origin>/`.
   */
  readonly consoleOrigin: string;
  /**
   * The hosted UI's Cognito prefix domain.
   * @default - `truth-engine-` and the last group of the stack's id (unique, and stable for the stack's life)
   */
  readonly domainPrefix?: string;
  /** @default - no Google sign-in */
  readonly google?: GoogleIdpConfig;
  /** @default - no GitHub sign-in */
  readonly github?: GitHubIdpConfig;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/** The hosted UI's OAuth 2.0 endpoints, as the console's `config.json` names them. */
export interface HostedUiEndpoints {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly logoutUrl: string;
}

/**
 * Who a user is: a Cognito user pool (email sign-in, self sign-up, verified email), its hosted UI on a
 * Cognito prefix domain, and one public app client for the console (authorization code with PKCE, no
 * secret: a browser cannot keep one). Google and GitHub sign in through the same hosted UI when
 * configured. Functions that verify tokens bind with {@link Identity.bindVerifier}.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  readonly client: UserPoolClient;
  readonly google?: UserPoolIdentityProviderGoogle;
  readonly github?: UserPoolIdentityProviderOidc;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      userVerification: { emailStyle: VerificationEmailStyle.CODE },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy,
    });

    // A prefix domain is unique per region across all accounts. The stack id's last group is
    // random, fixed for the stack's life, and names neither the account nor anything else.
    const domainPrefix =
      props.domainPrefix ??
      Fn.join('-', [
        'truth-engine',
        Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', Stack.of(this).stackId)))),
      ]);
    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix } });

    const providers: IUserPoolIdentityProvider[] = [];
    const supportedIdentityProviders = [UserPoolClientIdentityProvider.COGNITO];
    if (props.google !== undefined) {
      this.google = new UserPoolIdentityProviderGoogle(this, 'Google', {
        userPool: this.userPool,
        clientId: props.google.clientId,
        // A dynamic reference: CloudFormation reads the secret at deploy time, the template holds its name.
        clientSecretValue: SecretValue.secretsManager(props.google.clientSecretName),
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: {
          email: ProviderAttribute.GOOGLE_EMAIL,
          emailVerified: ProviderAttribute.GOOGLE_EMAIL_VERIFIED,
          fullname: ProviderAttribute.GOOGLE_NAME,
        },
      });
      providers.push(this.google);
      supportedIdentityProviders.push(UserPoolClientIdentityProvider.GOOGLE);
    }
    if (props.github !== undefined) {
      // GitHub is OAuth 2.0 without OpenID Connect: Cognito federates with an OIDC bridge in front of it,
      // found by discovery from its issuer. The scopes are GitHub's, passed through by the bridge.
      this.github = new UserPoolIdentityProviderOidc(this, 'GitHub', {
        userPool: this.userPool,
        name: GITHUB_PROVIDER_NAME,
        issuerUrl: props.github.issuerUrl,
        clientId: props.github.clientId,
        // The property is a string; a dynamic reference keeps the value out of the template all the same.
        clientSecret: SecretValue.secretsManager(props.github.clientSecretName).unsafeUnwrap(),
        scopes: ['openid', 'read:user', 'user:email'],
        attributeMapping: {
          email: ProviderAttribute.other('email'),
          fullname: ProviderAttribute.other('name'),
          preferredUsername: ProviderAttribute.other('preferred_username'),
        },
      });
      providers.push(this.github);
      supportedIdentityProviders.push(UserPoolClientIdentityProvider.custom(GITHUB_PROVIDER_NAME));
    }

    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      // The hosted UI signs users in; no password ever reaches the console. The console sends a PKCE
      // challenge with every authorization request, which Cognito honours for a client without a secret.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.consoleOrigin}${CALLBACK_PATH}`],
        logoutUrls: [`${props.consoleOrigin}/`],
      },
      supportedIdentityProviders,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    // The client names the providers; CloudFormation must create them first.
    for (const provider of providers) this.client.node.addDependency(provider);
  }

  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the `iss` of the pool's tokens. */
  get issuer(): string {
    const stack = Stack.of(this);
    return `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
  }

  /** The keys the pool signs its tokens with. */
  get jwksUrl(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }

  /** `https://<prefix>.auth.<region>.amazoncognito.com`. */
  get hostedUiUrl(): string {
    return this.domain.baseUrl();
  }

  get endpoints(): HostedUiEndpoints {
    return {
      authorizeUrl: `${this.hostedUiUrl}/oauth2/authorize`,
      tokenUrl: `${this.hostedUiUrl}/oauth2/token`,
      logoutUrl: `${this.hostedUiUrl}/logout`,
    };
  }

  /** Sets `AUTH_ISSUER`, `AUTH_AUDIENCE` (the console client's id) and `AUTH_JWKS_URL` in one call. */
  bindVerifier(fn: LambdaFunction): void {
    fn.addEnvironment('AUTH_ISSUER', this.issuer);
    fn.addEnvironment('AUTH_AUDIENCE', this.client.userPoolClientId);
    fn.addEnvironment('AUTH_JWKS_URL', this.jwksUrl);
  }
}
