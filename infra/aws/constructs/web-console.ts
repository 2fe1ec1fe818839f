import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleConfigFile, OAuthSignIn } from '../../../shared/edge/console-config.js';
import { WEB_CONSOLE_DIR } from '../paths.js';

/**
 * The viewer-request function (CloudFront Functions, cloudfront-js-2.0) that maps the static
 * export's files onto the console's addresses. The export has `trailingSlash: false`, so a page is
 * `<path>.html` and its RSC payload `<path>.txt`; the three dynamic pages are exported once
 * (`sessions.html`, `tasks.html`, and `s.html` for the share links `/s/<token>`) and read their ids
 * from the address after mount. Their segment prefetches (`__next.<x>.txt`) live beside them under
 * `sessions/`, `tasks/` and `s/`.
 */
export const ROUTE_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var match;
  if ((match = /^\\/(sessions|s)\\/[^/]+\\/(__next\\.[^/]+\\.txt)$/.exec(uri))) {
    request.uri = '/' + match[1] + '/' + match[2];
  } else if ((match = /^\\/tasks\\/[^/]+\\/[^/]+\\/(__next\\.[^/]+\\.txt)$/.exec(uri))) {
    request.uri = '/tasks/' + match[1];
  } else if (/^\\/(sessions|tasks|s)\\/__next\\.[^/]+\\.txt$/.test(uri)) {
    // The exported prefetch files themselves.
  } else if ((match = /^\\/(sessions|s)\\/[^/]+\\.txt$/.exec(uri))) {
    request.uri = '/' + match[1] + '.txt';
  } else if ((match = /^\\/(sessions|s)\\/[^/]+\\/?$/.exec(uri))) {
    request.uri = '/' + match[1] + '.html';
  } else if (/^\\/tasks\\/[^/]+\\/[^/]+\\.txt$/.test(uri)) {
    request.uri = '/tasks.txt';
  } else if (/^\\/tasks\\/[^/]+\\/[^/]+\\/?$/.test(uri)) {
    request.uri = '/tasks.html';
  } else if (uri !== '/') {
    var path = uri.replace(/\\/+$/, '');
    var last = path.slice(path.lastIndexOf('/') + 1);
    if (last.indexOf('.') === -1) request.uri = (path === '' ? '/index' : path) + '.html';
  }
  return request;
}
`;

/** What the console reads from `/config.json` at start: where the APIs are, and the hosted UI it signs in with. */
export type WebConsoleConfig = ConsoleConfigFile & { readonly auth: OAuthSignIn };

export interface WebConsoleProps {
  /**
   * The static export to upload; it must hold an `index.html`.
   * @default `<repository root>/web/out` (`npm run build:web`)
   */
  readonly assetPath?: string;
  /**
   * DESTROY also empties the bucket on delete.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The web console: a private bucket read only by its CloudFront distribution (Origin Access
 * Control), HTTPS only. {@link WebConsole.deploy} uploads the export with a `config.json` naming the
 * APIs and the sign-in endpoints, written at deploy time, and invalidates the distribution. Deploying is a step of its own
 * because the HTTP API's CORS names this distribution's domain while `config.json` names the API.
 */
export class WebConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly routeRewrite: CloudFrontFunction;
  readonly assetPath: string;
  private deployment?: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebConsoleProps = {}) {
    super(scope, id);
    this.assetPath = props.assetPath ?? WEB_CONSOLE_DIR;
    if (!existsSync(this.assetPath) || !statSync(this.assetPath).isDirectory()) {
      throw new Error(
        `The web console's static export ${this.assetPath} does not exist: run \`npm run build:web\` first.`,
      );
    }
    if (!existsSync(join(this.assetPath, 'index.html'))) {
      throw new Error(
        `The web console's static export ${this.assetPath} has no index.html: run \`npm run build:web\` first.`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    this.routeRewrite = new CloudFrontFunction(this, 'RouteRewrite', {
      comment: 'Web console: map addresses onto the static export files.',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(ROUTE_REWRITE_CODE),
    });

    // Pages, payloads and config.json change with every deploy under the same names: CloudFront keeps
    // them at most a minute (a deploy also invalidates), and browsers revalidate.
    const pages = new CachePolicy(this, 'PagesCachePolicy', {
      comment: 'Web console pages and config.json: revalidated.',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.minutes(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const pageHeaders = new ResponseHeadersPolicy(this, 'PagesHeaders', {
      comment: 'Web console pages: no-cache, security headers.',
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: 'no-cache', override: true }],
      },
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), override: true },
      },
    });
    // Next.js names these by content hash: never changed in place, so kept for a year everywhere.
    const immutable = new CachePolicy(this, 'StaticCachePolicy', {
      comment: 'Web console /_next/static: content-hashed, immutable.',
      minTtl: Duration.days(365),
      defaultTtl: Duration.days(365),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const immutableHeaders = new ResponseHeadersPolicy(this, 'StaticHeaders', {
      comment: 'Web console /_next/static: immutable.',
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cache-Control', value: 'public, max-age=31536000, immutable', override: true },
        ],
      },
    });

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Truth Engine web console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
        cachePolicy: pages,
        responseHeadersPolicy: pageHeaders,
        functionAssociations: [{ function: this.routeRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/_next/static/*': {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          compress: true,
          cachePolicy: immutable,
          responseHeadersPolicy: immutableHeaders,
        },
      },
      // Without s3:ListBucket a missing object is a 403: both show the export's 404 page.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 404,
        responsePagePath: '/404.html',
        ttl: Duration.seconds(10),
      })),
    });
  }

  /** `https://<distribution domain>`, the console's address and the origin its requests carry. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Uploads the export and a `config.json` of `config` (resolved at deploy time, not built into the
   * export), removes what the export no longer holds, and invalidates the distribution.
   */
  deploy(config: WebConsoleConfig): BucketDeployment {
    if (this.deployment !== undefined) throw new Error('the web console is already deployed');
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [
        Source.asset(this.assetPath),
        Source.jsonData('config.json', {
          apiUrl: config.apiUrl,
          wsUrl: config.wsUrl,
          ...(config.streamUrl === undefined ? {} : { streamUrl: config.streamUrl }),
          auth: {
            mode: config.auth.mode,
            authorizeUrl: config.auth.authorizeUrl,
            tokenUrl: config.auth.tokenUrl,
            logoutUrl: config.auth.logoutUrl,
            clientId: config.auth.clientId,
            scopes: [...config.auth.scopes],
          },
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    return this.deployment;
  }
}
