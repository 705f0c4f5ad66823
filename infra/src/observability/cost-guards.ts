import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { CfnAnomalyMonitor, CfnAnomalySubscription } from 'aws-cdk-lib/aws-ce';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Tunables } from '../tunables.ts';

export interface CostGuardsProps {
  readonly prefix: string;
  readonly cost: Tunables['cost'];
  readonly topic: ITopic;
}

/**
 * Cost Anomaly Detection over the account's services (alerting on anomalies above the tunables' impact) and a
 * monthly cost budget (actual spend at each alert percentage, forecast at 100 %), both to the cost topic.
 */
export class CostGuards extends Construct {
  constructor(scope: Construct, id: string, props: CostGuardsProps) {
    super(scope, id);
    const monitor = new CfnAnomalyMonitor(this, 'Monitor', {
      monitorName: `${props.prefix}-services`,
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    });
    new CfnAnomalySubscription(this, 'Subscription', {
      subscriptionName: `${props.prefix}-cost-anomalies`,
      monitorArnList: [monitor.attrMonitorArn],
      frequency: 'IMMEDIATE',
      subscribers: [{ type: 'SNS', address: props.topic.topicArn }],
      thresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(props.cost.anomalyImpactUsd)],
        },
      }),
    });
    const subscriber = [{ subscriptionType: 'SNS', address: props.topic.topicArn }];
    new CfnBudget(this, 'Monthly', {
      budget: {
        budgetName: `${props.prefix}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.cost.monthlyBudgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        ...props.cost.budgetAlertPercents.map((threshold) => ({
          notification: {
            notificationType: 'ACTUAL',
            comparisonOperator: 'GREATER_THAN',
            threshold,
            thresholdType: 'PERCENTAGE',
          },
          subscribers: subscriber,
        })),
        {
          notification: {
            notificationType: 'FORECASTED',
            comparisonOperator: 'GREATER_THAN',
            threshold: 100,
            thresholdType: 'PERCENTAGE',
          },
          subscribers: subscriber,
        },
      ],
    });
  }
}
