import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicsProps {
  readonly prefix: string;
  readonly email?: string;
}

/**
 * Where alarms and cost alerts go: `page` (fast SLO burn, canary rollbacks), `ticket` (slow burn, pipeline
 * lag) and `cost` (budgets, anomalies). Encrypted with a key CloudWatch, Budgets and Cost Anomaly Detection
 * may use; TLS-only publishers. An e-mail subscriber when the context names one.
 */
export class AlertTopics extends Construct {
  readonly page: Topic;
  readonly ticket: Topic;
  readonly cost: Topic;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: `${props.prefix} alert topics`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const publishers = ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com', 'costalerts.amazonaws.com'];
    key.addToResourcePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: publishers.map((service) => new ServicePrincipal(service)),
        resources: ['*'],
      }),
    );
    const topic = (topicId: string, name: string, services: string[]) => {
      const t = new Topic(this, topicId, {
        topicName: `${props.prefix}-${name}`,
        displayName: `Boundless ${name}`,
        masterKey: key,
        enforceSSL: true,
      });
      t.addToResourcePolicy(
        new PolicyStatement({
          actions: ['sns:Publish'],
          principals: services.map((service) => new ServicePrincipal(service)),
          resources: [t.topicArn],
        }),
      );
      if (props.email) t.addSubscription(new EmailSubscription(props.email));
      return t;
    };
    this.page = topic('Page', 'page', ['cloudwatch.amazonaws.com']);
    this.ticket = topic('Ticket', 'ticket', ['cloudwatch.amazonaws.com']);
    this.cost = topic('Cost', 'cost', ['budgets.amazonaws.com', 'costalerts.amazonaws.com']);
  }
}
