import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Construct } from 'constructs';
import type { DeploymentContext } from '../context.ts';
import type { DeliveryStack } from '../delivery/delivery-stack.ts';
import { readSloDefinitions, SloAlarms } from '../slo-alarms.ts';
import type { Tunables } from '../tunables.ts';
import { AlertTopics } from './alert-topics.ts';
import { CostGuards } from './cost-guards.ts';
import { OperationsDashboard } from './operations-dashboard.ts';
import { ScaleOutPipeline } from './scale-out-pipeline.ts';

export interface ObservabilityStackProps extends StackProps {
  readonly context: DeploymentContext;
  readonly tunables: Tunables;
  readonly delivery: DeliveryStack;
}

/**
 * Watching the delivery core: the scale-out detectors on CloudFront's real-time logs, the SLO burn-rate
 * alarms of copilot/slos.json, the operations dashboard, and the cost guards (anomaly detection, budget).
 */
export class ObservabilityStack extends Stack {
  readonly topics: AlertTopics;
  readonly pipeline: ScaleOutPipeline;
  readonly slo: SloAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { context, tunables, delivery } = props;
    const prefix = context.prefix;
    this.topics = new AlertTopics(this, 'Alerts', {
      prefix,
      ...(context.alarmEmail ? { email: context.alarmEmail } : {}),
    });
    this.pipeline = new ScaleOutPipeline(this, 'ScaleOut', {
      prefix,
      scaleOut: tunables.scaleOut,
      realtimeLogs: delivery.edge.realtimeLogStream,
    });
    this.slo = new SloAlarms(this, 'Slo', {
      definitions: readSloDefinitions(),
      alarmNamePrefix: `${prefix}-slo`,
      pageAction: new SnsAction(this.topics.page),
      ticketAction: new SnsAction(this.topics.ticket),
    });
    const lagAlarms = [this.pipeline.router, this.pipeline.consumer].map((fn) => {
      const alarm = new Alarm(this, `${fn.node.id}Lag`, {
        alarmName: `${prefix}-${fn.node.id.toLowerCase()}-lag`,
        alarmDescription: `${fn.node.id} is more than 5 minutes behind its stream: detections are late`,
        metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold: 5 * 60_000,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(this.topics.ticket));
      return alarm;
    });
    // A detection in the dead-letter queue is one the copilot never decided on (nor mitigated): a person looks,
    // so it opens a ticket like the lag alarms. SQS publishes the queue's depth every minute, also when idle.
    const deadLetterAlarm = new Alarm(this, 'CopilotDetectionsDeadLetters', {
      alarmName: `${prefix}-copilot-detections-dlq`,
      alarmDescription:
        'Detections the copilot failed to handle five times wait in the dead-letter queue: read them, fix the cause, redrive',
      metric: this.pipeline.copilotDeadLetters.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    deadLetterAlarm.addAlarmAction(new SnsAction(this.topics.ticket));
    new CostGuards(this, 'Cost', { prefix, cost: tunables.cost, topic: this.topics.cost });

    const functions = Object.values(delivery.api.functions);
    const sloAlarms = [...this.slo.pairs.values()].flatMap((pairs) => [...pairs.values()].map((p) => p.both));
    new OperationsDashboard(this, 'Dashboard', {
      prefix,
      distribution: delivery.edge.distribution,
      api: delivery.api.api,
      functions: functions.map((f) => f.function),
      tables: [delivery.table.table.tableName, this.pipeline.table.tableName],
      webAclName: `${prefix}-edge`,
      wafRules: [
        'block-listed-addresses',
        'rate-limit-listed-addresses',
        'rate-limit-every-address',
        'aws-ip-reputation',
      ],
      streamFunctions: [this.pipeline.router, this.pipeline.consumer],
      detectionBus: this.pipeline.bus.eventBusName,
      alarms: [
        ...sloAlarms,
        ...lagAlarms,
        deadLetterAlarm,
        ...functions.flatMap((f) => [f.errorRateAlarm, f.latencyAlarm]),
      ],
    });
    new CfnOutput(this, 'DetectionBus', {
      value: this.pipeline.bus.eventBusName,
      description: 'abuse detections',
    });
    new CfnOutput(this, 'PageTopic', { value: this.topics.page.topicArn, description: 'pages' });
  }
}
