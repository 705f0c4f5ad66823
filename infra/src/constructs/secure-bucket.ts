import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface SecureBucketProps extends BucketProps {
  /** Where S3 server access logs go; the log bucket itself passes none. */
  readonly accessLogs?: { bucket: IBucket; prefix: string };
}

/**
 * A bucket with what every bucket here needs: no public access, TLS only, encryption at rest, versioning,
 * incomplete multipart uploads cleaned up, retained on stack deletion, and server access logs when given a
 * log bucket. Callers add lifecycle rules and replication.
 */
export function secureBucket(scope: Construct, id: string, props: SecureBucketProps): Bucket {
  const { accessLogs, lifecycleRules, ...rest } = props;
  return new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.S3_MANAGED,
    versioned: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(accessLogs
      ? { serverAccessLogsBucket: accessLogs.bucket, serverAccessLogsPrefix: accessLogs.prefix }
      : {}),
    lifecycleRules: [
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ...(lifecycleRules ?? []),
    ],
    ...rest,
  });
}
