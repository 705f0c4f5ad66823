import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REALTIME_LOG_FIELDS } from '@boundless/delivery';
import { Duration } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  Endpoint,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  KeyGroup,
  KeyValueStore,
  PriceClass,
  PublicKey,
  RealtimeLogConfig,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PRIMARY_REGION } from '../context.ts';
import { CACHE_PATH_PATTERNS, type CachePathPattern, type Tunables } from '../tunables.ts';

/** The viewer-request function's source: the very file the local edge runs in node:vm. */
export const VIEWER_REQUEST_SOURCE = createRequire(import.meta.url).resolve(
  '@boundless/delivery/viewer-request',
);

/** Which behaviours need a signed cookie and a valid edge token: the titles themselves. */
const PROTECTED: Readonly<Record<CachePathPattern, boolean>> = {
  '/titles/*.epub': true,
  '/titles/*': true,
  '/public/*': false,
  default: false,
};

export interface EdgeProps {
  readonly prefix: string;
  readonly cache: Tunables['cache'];
  readonly realtimeLogs: { shards: number; samplingPercent: number };
  readonly content: IBucket;
  readonly logs: IBucket;
  readonly webAclArn: string;
  /** PEM of the public half of the signing key pair (signed cookies). */
  readonly signingPublicKeyPem: string;
  readonly domain?: { name: string; certificateArn: string };
}

/**
 * CloudFront in front of the content bucket: origin access control with Origin Shield, a cache policy per path
 * pattern from the tunables, signed cookies checked against a key group and the viewer-request function of
 * `delivery/edge/` (the very file the local edge runs) with its KeyValueStore on the titles, the web ACL, and
 * standard plus real-time logs (Kinesis, the copilot's and the scale-out consumers' input).
 */
export class Edge extends Construct {
  readonly distribution: Distribution;
  readonly keyValueStore: KeyValueStore;
  readonly viewerRequest: EdgeFunction;
  readonly publicKey: PublicKey;
  readonly realtimeLogStream: Stream;
  readonly cachePolicies: Readonly<Record<CachePathPattern, CachePolicy>>;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    this.keyValueStore = new KeyValueStore(this, 'Revocations', {
      keyValueStoreName: `${props.prefix}-edge`,
      comment: 'Edge-token revocations (rv:), re-auth marks (ra:) and signing secrets (k:); see DESIGN 4.1',
    });
    this.viewerRequest = new EdgeFunction(this, 'ViewerRequest', {
      functionName: `${props.prefix}-viewer-request`,
      code: FunctionCode.fromInline(readFileSync(VIEWER_REQUEST_SOURCE, 'utf8')),
      runtime: FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
      comment: 'Device-bound edge token, revocations and re-auth (delivery/edge/viewer-request.js)',
      autoPublish: true,
    });
    this.publicKey = new PublicKey(this, 'SigningKey', {
      encodedKey: props.signingPublicKeyPem,
      comment: 'Verifies the signed cookies the access API issues',
    });
    const keyGroup = new KeyGroup(this, 'SignedCookieKeys', { items: [this.publicKey] });

    this.realtimeLogStream = new Stream(this, 'RealtimeLogs', {
      streamName: `${props.prefix}-edge-realtime-logs`,
      streamMode: StreamMode.PROVISIONED,
      shardCount: props.realtimeLogs.shards,
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
    });
    const realtimeLogConfig = new RealtimeLogConfig(this, 'RealtimeLogConfig', {
      realtimeLogConfigName: `${props.prefix}-edge`,
      // The same fields, in the same order, as the local edge writes and the consumers parse.
      fields: [...REALTIME_LOG_FIELDS],
      samplingRate: props.realtimeLogs.samplingPercent,
      endPoints: [Endpoint.fromKinesisStream(this.realtimeLogStream)],
    });

    const origin = S3BucketOrigin.withOriginAccessControl(props.content, {
      originShieldEnabled: true,
      originShieldRegion: PRIMARY_REGION,
    });
    const policies = {} as Record<CachePathPattern, CachePolicy>;
    const behavior = (pattern: CachePathPattern): BehaviorOptions => {
      const ttl = props.cache.behaviors[pattern];
      const slug =
        pattern === 'default' ? 'default' : pattern.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
      // Tokens, cookies and device headers stay out of the key: every entitled reader shares one cached copy.
      const cachePolicy = new CachePolicy(this, `Cache-${slug}`, {
        cachePolicyName: `${props.prefix}-${slug}`,
        comment: `Cache key and TTLs for ${pattern} (tunables: cache.behaviors)`,
        minTtl: Duration.seconds(ttl.minTtlSeconds),
        defaultTtl: Duration.seconds(ttl.defaultTtlSeconds),
        maxTtl: Duration.seconds(ttl.maxTtlSeconds),
        queryStringBehavior: CacheQueryStringBehavior.none(),
        enableAcceptEncodingGzip: ttl.compress,
        enableAcceptEncodingBrotli: ttl.compress,
      });
      policies[pattern] = cachePolicy;
      const common: BehaviorOptions = {
        origin,
        cachePolicy,
        compress: ttl.compress,
        realtimeLogConfig,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      };
      if (!PROTECTED[pattern])
        return {
          ...common,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        };
      return {
        ...common,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        // Signed cookies never travel in clear text.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        trustedKeyGroups: [keyGroup],
        functionAssociations: [{ function: this.viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }],
      };
    };
    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    for (const pattern of CACHE_PATH_PATTERNS) {
      if (pattern !== 'default') additionalBehaviors[pattern] = behavior(pattern);
    }
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${props.prefix} e-book delivery`,
      defaultBehavior: behavior('default'),
      additionalBehaviors,
      webAclId: props.webAclArn,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      // Cache hit rate and origin latency per distribution (the dashboard, the optimisation report).
      publishAdditionalMetrics: true,
      enableLogging: true,
      logBucket: props.logs,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      ...(props.domain
        ? {
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: [props.domain.name],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
          }
        : {}),
    });
    this.cachePolicies = policies;
  }
}
