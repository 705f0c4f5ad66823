import { Duration } from 'aws-cdk-lib';
import { Bucket, type IBucket, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { secureBucket } from '../constructs/secure-bucket.ts';
import type { Tunables } from '../tunables.ts';

/** Where the content bucket's server access logs go in the logs bucket. */
export const CONTENT_ACCESS_LOG_PREFIX = 's3-access/content/';

export interface ContentStorageProps {
  readonly storage: Tunables['storage'];
  /** Named, so that policies elsewhere can name the log prefix without a cross-stack reference. */
  readonly logBucketName: string;
  /** The bucket in the DR region that content replicates to (see `DeliveryReplicaStack`). */
  readonly replicaBucketName: string;
}

/**
 * The origin bucket for titles (S3 Standard, then Standard-IA, then Glacier Instant Retrieval as the tunables
 * say, replicated to the DR region) and the log bucket for CloudFront standard logs and S3 access logs.
 */
export class ContentStorage extends Construct {
  readonly content: Bucket;
  readonly logs: Bucket;
  readonly replica: IBucket;
  readonly logBucketName: string;

  constructor(scope: Construct, id: string, props: ContentStorageProps) {
    super(scope, id);
    const { content, logs } = props.storage;
    this.logBucketName = props.logBucketName;
    this.logs = secureBucket(this, 'Logs', {
      bucketName: props.logBucketName,
      // CloudFront standard logging writes with ACLs, so this bucket keeps them enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'age-out-logs',
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(logs.infrequentAccessAfterDays),
            },
          ],
          expiration: Duration.days(logs.expireAfterDays),
        },
      ],
    });
    this.replica = Bucket.fromBucketName(this, 'Replica', props.replicaBucketName);
    this.content = secureBucket(this, 'Content', {
      // Read back by the report's storage-class section (S3ContentRecency), in S3's simple key format.
      accessLogs: { bucket: this.logs, prefix: CONTENT_ACCESS_LOG_PREFIX },
      lifecycleRules: [
        {
          id: 'tier-by-age',
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(content.infrequentAccessAfterDays),
            },
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(content.glacierInstantRetrievalAfterDays),
            },
          ],
          noncurrentVersionExpiration: Duration.days(content.noncurrentVersionExpirationDays),
        },
      ],
      replicationRules: [
        {
          id: 'dr-copy',
          destination: this.replica,
          priority: 1,
          deleteMarkerReplication: true,
          // The DR copy is read only if the primary region fails: infrequent access from the start.
          storageClass: StorageClass.INFREQUENT_ACCESS,
        },
      ],
    });
  }
}
