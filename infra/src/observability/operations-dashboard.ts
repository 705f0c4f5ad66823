import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  Metric,
  PeriodOverride,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface OperationsDashboardProps {
  readonly prefix: string;
  readonly distribution: Distribution;
  readonly api: IHttpApi;
  /** Access API functions by name, hottest first (the first few are graphed individually). */
  readonly functions: readonly IFunction[];
  readonly tables: readonly string[];
  readonly webAclName: string;
  readonly wafRules: readonly string[];
  readonly streamFunctions: readonly IFunction[];
  readonly detectionBus: string;
  readonly alarms: readonly IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One CloudWatch dashboard for the delivery core and its watchers: alarm states first (SLO burn rates, canary
 * guards, pipeline lag), then the edge, the API and its functions, the tables, the web ACL and the scale-out
 * detectors.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const d = props.distribution;
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6, period: FIVE_MINUTES });
    const byFunction = (metricName: string, statistic: string, fns: readonly IFunction[]) =>
      fns.map((fn) => fn.metric(metricName, { statistic, period: FIVE_MINUTES, label: fn.functionName }));
    const dynamo = (metricName: string) =>
      props.tables.map(
        (table) =>
          new Metric({
            namespace: 'AWS/DynamoDB',
            metricName,
            dimensionsMap: { TableName: table },
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: `${table} ${metricName}`,
          }),
      );
    const waf = props.wafRules.map(
      (rule) =>
        new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAclName, Rule: rule },
          statistic: 'Sum',
          period: FIVE_MINUTES,
          label: rule,
        }),
    );
    const detections = new Metric({
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      dimensionsMap: { EventBusName: props.detectionBus },
      statistic: 'Sum',
      period: FIVE_MINUTES,
      label: 'detections',
    });
    const hottest = props.functions.slice(0, 4);

    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: `${props.prefix}-operations`,
      defaultInterval: Duration.hours(6),
      periodOverride: PeriodOverride.AUTO,
      widgets: [
        [
          new TextWidget({
            markdown:
              '# Boundless operations\nSLO burn-rate pairs (copilot/slos.json), canary guards and the scale-out pipeline. Detections land on the EventBridge bus and in its log group.',
            width: 24,
            height: 2,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 6 })],
        [
          graph(
            'Edge requests and bytes',
            [d.metricRequests({ period: FIVE_MINUTES })],
            [d.metricBytesDownloaded({ period: FIVE_MINUTES })],
          ),
          graph('Edge error rates (%)', [
            d.metric4xxErrorRate({ period: FIVE_MINUTES }),
            d.metric5xxErrorRate({ period: FIVE_MINUTES }),
          ]),
          graph(
            'Edge cache hit rate (%) and origin latency',
            [d.metricCacheHitRate({ period: FIVE_MINUTES })],
            [d.metricOriginLatency({ period: FIVE_MINUTES, statistic: 'p95' })],
          ),
        ],
        [
          graph(
            'API requests and errors',
            [props.api.metricCount({ period: FIVE_MINUTES })],
            [
              props.api.metricClientError({ period: FIVE_MINUTES }),
              props.api.metricServerError({ period: FIVE_MINUTES }),
            ],
          ),
          graph('API latency p95 / p99 (ms)', [
            props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p95' }),
            props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
          ]),
          graph('Function errors and throttles', byFunction('Errors', 'Sum', props.functions), [
            ...byFunction('Throttles', 'Sum', hottest),
          ]),
        ],
        [
          graph('Function duration p99 (ms)', byFunction('Duration', 'p99', hottest)),
          graph(
            'Concurrency and provisioned utilisation',
            byFunction('ConcurrentExecutions', 'Maximum', hottest),
            [...byFunction('ProvisionedConcurrencyUtilization', 'Maximum', hottest)],
          ),
          graph(
            'Cold starts (provisioned spillover)',
            byFunction('ProvisionedConcurrencySpilloverInvocations', 'Sum', hottest),
          ),
        ],
        [
          graph(
            'DynamoDB consumed capacity',
            dynamo('ConsumedReadCapacityUnits'),
            dynamo('ConsumedWriteCapacityUnits'),
          ),
          graph('DynamoDB throttles and errors', dynamo('ThrottledRequests'), dynamo('UserErrors')),
          graph('WAF blocked requests by rule', waf),
        ],
        [
          graph(
            'Scale-out detectors: iterator age (ms)',
            byFunction('IteratorAge', 'Maximum', props.streamFunctions),
          ),
          graph('Scale-out detectors: errors', byFunction('Errors', 'Sum', props.streamFunctions), [
            detections,
          ]),
        ],
      ],
    });
  }
}
