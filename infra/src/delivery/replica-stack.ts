import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { secureBucket } from '../constructs/secure-bucket.ts';

export interface DeliveryReplicaStackProps extends StackProps {
  readonly bucketName: string;
}

/** The DR region's half of the delivery core: the bucket content replicates into. Deployed first. */
export class DeliveryReplicaStack extends Stack {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: DeliveryReplicaStackProps) {
    super(scope, id, props);
    this.bucket = secureBucket(this, 'ContentReplica', { bucketName: props.bucketName });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Written only by S3 replication from the origin bucket, whose access is logged; read only when failing over, through the same CloudFront logging.',
    });
  }
}

/** The replica bucket's name: deterministic, so the primary stack can name it before it exists. */
export function replicaBucketName(prefix: string, account: string, region: string): string {
  return `${prefix}-replica-${account}-${region}`;
}
