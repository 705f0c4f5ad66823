import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetHashType, Duration, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin, VpcOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { InfraConfigError } from '../errors.ts';
import { secureBucket } from '../constructs/secure-bucket.ts';

export interface DashboardSiteProps {
  readonly prefix: string;
  readonly loadBalancer: IApplicationLoadBalancer;
  readonly logs: IBucket;
  /** The built dashboard; without it the bucket stays empty until a deployment uploads it. */
  readonly dashboardDir?: string;
  /** The deployed build's `dashboardBuildHash`, when the files are not at hand. */
  readonly dashboardAssetHash?: string;
}

/**
 * The operators' dashboard: its static files in S3 behind CloudFront (origin access control, SPA fallback),
 * with the copilot's API and socket.io on the same origin through a VPC origin to the internal load balancer.
 */
export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    this.bucket = secureBucket(this, 'Files', {
      versioned: false,
      accessLogs: { bucket: props.logs, prefix: 's3-access/dashboard/' },
    });
    const copilot = VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
      protocolPolicy: OriginProtocolPolicy.HTTP_ONLY,
      readTimeout: Duration.seconds(60),
    });
    const toCopilot = {
      origin: copilot,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${props.prefix} operators dashboard`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      additionalBehaviors: { '/api/*': toCopilot, '/socket.io/*': toCopilot },
      // Client-side routes load the app, which then asks the API.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      priceClass: PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logs,
      logFilePrefix: 'dashboard/',
    });
    if (props.dashboardDir && !existsSync(`${props.dashboardDir}/index.html`))
      throw new InfraConfigError(
        `dashboardDir ${props.dashboardDir} has no index.html; build the dashboard first`,
      );
    // The upload is named by the build's content hash, so a synthesis that has the hash but not the files (the
    // copilot's) yields the template the deployment has; it then stages an empty folder, never published.
    const assetHash =
      props.dashboardAssetHash ?? (props.dashboardDir ? dashboardBuildHash(props.dashboardDir) : undefined);
    if (assetHash) {
      const dir = props.dashboardDir ?? mkdtempSync(join(tmpdir(), 'boundless-dashboard-unpublished-'));
      new BucketDeployment(this, 'Upload', {
        sources: [Source.asset(dir, { assetHash, assetHashType: AssetHashType.CUSTOM })],
        destinationBucket: this.bucket,
        distribution: this.distribution,
      });
    }
    const ack = (rule: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    ack(
      'AwsSolutions-CFR1',
      'Operators work from anywhere; every API call needs a Cognito token with an operator role.',
    );
    ack(
      'AwsSolutions-CFR2',
      'Static files and an API that requires a Cognito JWT on every call and socket; the edge web ACL protects the readers.',
    );
    ack(
      'AwsSolutions-CFR4',
      'The *.cloudfront.net certificate is used; its minimum protocol is fixed by CloudFront.',
    );
    ack(
      'AwsSolutions-CFR5',
      "The VPC origin reaches an internal load balancer over AWS's network; no public path exists.",
    );
  }
}

/** A dashboard build's identity: sha256 over its files' relative paths and contents, in path order. */
export function dashboardBuildHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (relative: string): string[] =>
    readdirSync(join(dir, relative), { withFileTypes: true })
      .flatMap((entry) => {
        const path = relative ? `${relative}/${entry.name}` : entry.name;
        return entry.isDirectory() ? walk(path) : [path];
      })
      .sort();
  for (const path of walk('')) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(dir, path)));
    hash.update('\0');
  }
  return hash.digest('hex');
}
