import { Validations } from 'aws-cdk-lib';
import type { DeliveryStack } from './delivery-stack.ts';

/** Findings of cdk-nag's AwsSolutions pack that the delivery stack accepts, each with its reason. */
export function acknowledgeDeliveryFindings(stack: DeliveryStack, customDomain: boolean): void {
  const ack = (scope: Parameters<typeof Validations.of>[0], id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  const distribution = stack.edge.distribution;
  ack(
    distribution,
    'AwsSolutions-CFR1',
    'Titles are sold worldwide; where a title may be read is an entitlement rule the access API enforces, not a country block.',
  );
  if (!customDomain)
    ack(
      distribution,
      'AwsSolutions-CFR4',
      'Without edgeDomainName/edgeCertificateArn the *.cloudfront.net certificate is used, whose minimum protocol CloudFront fixes; with a domain the policy is TLSv1.2_2021.',
    );
  const replication = stack.storage.content.node.findChild('ReplicationRole');
  ack(
    replication,
    `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(stack.storage.content.node.defaultChild as never)}.Arn>/*]`,
    'S3 replication reads every object version of the origin bucket.',
  );
  ack(
    replication,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${stack.storage.replica.bucketName}/*]`,
    'S3 replication writes every object version into the replica bucket.',
  );
  for (const secret of [stack.secrets.cloudFrontPrivateKey, stack.secrets.edgeTokenSecrets]) {
    ack(
      secret,
      'AwsSolutions-SMG4',
      'Rotation must change the CloudFront key group or the KeyValueStore in step with the secret; it follows the procedure in infra/README.md.',
    );
  }
  for (const fn of Object.values(stack.api.functions)) {
    ack(
      fn,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(stack.table.table.node.defaultChild as never)}.Arn>/index/*]`,
      'The single-table design queries its GSI (gsi1).',
    );
  }
}
