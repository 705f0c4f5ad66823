import { TTL_ATTRIBUTE } from '@boundless/delivery/store';
import { GSI1 } from '@boundless/delivery/store';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface SingleTableProps {
  readonly tableName: string;
  /** Regions holding a replica of the global table (the stack's own region is the primary). */
  readonly replicaRegions: readonly string[];
  /**
   * Kept on stack deletion or replacement: the table holds entitlements, devices and the audit trail.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The single-table shape the delivery core and the copilot share (`pk`/`sk`, one GSI, `expiresAt` TTL), as a
 * DynamoDB global table: on-demand, point-in-time recovery, deletion protection, a replica per DR region. The
 * local runtime creates the same shape with `createDeliveryTable`.
 */
export class SingleTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: SingleTableProps) {
    super(scope, id);
    this.table = new TableV2(this, 'Resource', {
      tableName: props.tableName,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: GSI1,
          partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
        },
      ],
      billing: Billing.onDemand(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.awsManagedKey(),
      replicas: props.replicaRegions.map((region) => ({ region })),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
