import { parseSloDefinitions, SloDefinitionError } from '@boundless/copilot/slo';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { readSloDefinitions, SloAlarms } from './slo-alarms.ts';

function newStack(): Stack {
  return new Stack(new App(), 'SloAlarmsTest', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('Construct: SloAlarms', () => {
  describe('from the shipped slos.json', () => {
    // GIVEN the shipped definitions, WHEN synthesized once (synthesis is the slow part), THEN ...
    const definitions = readSloDefinitions();
    const stack = newStack();
    const topic = new Topic(stack, 'Pager');
    new SloAlarms(stack, 'Slo', { definitions, pageAction: new SnsAction(topic) });
    const template = Template.fromStack(stack);
    const pairs = definitions.slos.length * definitions.alerts.length;

    it('creates two window alarms and one composite alarm per SLO and burn-rate pair, and the page roll-up', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', pairs * 2);
      template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', pairs + 1);
    });

    it('rolls every page-level pair, and no ticket one, into one alarm a change set can roll back on', () => {
      const rollUp = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')).find(
        (r) => r.Properties.AlarmName === 'boundless-slo-page',
      );
      const rule = JSON.stringify(rollUp?.Properties.AlarmRule);
      const pages = definitions.alerts.filter((a) => a.action === 'page');
      const tickets = definitions.alerts.filter((a) => a.action !== 'page');
      expect(pages.length).toBeGreaterThan(0);
      expect(tickets.length).toBeGreaterThan(0);
      expect(rule.match(/ALARM\(/g)).toHaveLength(definitions.slos.length * pages.length);
      for (const slo of definitions.slos) {
        for (const a of pages) expect(rule).toContain(`${slo.id}${a.name}`.replace(/-/g, ''));
        for (const a of tickets) expect(rule).not.toContain(`${slo.id}${a.name}`.replace(/-/g, ''));
      }
      expect(rollUp?.Properties.AlarmActions).toBeUndefined();
    });

    it('computes the 1h burn rate of the access API from the engine metrics against a 99.95 % objective', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'boundless-slo-access-api-availability-fast-burn-long',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 14.4,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(valid > 0, bad / valid, 0) / 0.0005', ReturnData: true }),
          Match.objectLike({
            Id: 'bad',
            ReturnData: false,
            MetricStat: {
              Metric: {
                Namespace: 'Boundless/Slo',
                MetricName: 'BadEvents',
                Dimensions: [{ Name: 'Slo', Value: 'access-api-availability' }],
              },
              Period: 3600,
              Stat: 'Sum',
            },
          }),
        ]),
      });
    });

    it('uses the quantile as the objective of a latency SLO and the short window as the period', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'boundless-slo-edge-epub-latency-steady-burn-short',
        Threshold: 6,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(valid > 0, bad / valid, 0) / 0.05' }),
          Match.objectLike({ Id: 'valid', MetricStat: Match.objectLike({ Period: 1800 }) }),
        ]),
      });
    });

    it('fires the composite only when both windows of the pair are in alarm, and pages through the action', () => {
      const logicalId = (alarmName: string) => {
        const found = Object.keys(
          template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: alarmName } }),
        );
        expect(found).toHaveLength(1);
        return found[0]!;
      };
      const long = logicalId('boundless-slo-access-api-availability-fast-burn-long');
      const short = logicalId('boundless-slo-access-api-availability-fast-burn-short');

      template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
        AlarmName: 'boundless-slo-access-api-availability-fast-burn',
        AlarmRule: {
          'Fn::Join': [
            '',
            [
              '(ALARM("',
              { 'Fn::GetAtt': [long, 'Arn'] },
              '") AND ALARM("',
              { 'Fn::GetAtt': [short, 'Arn'] },
              '"))',
            ],
          ],
        },
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }],
      });
    });

    it('leaves ticket pairs without a page action', () => {
      template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
        AlarmName: 'boundless-slo-access-api-availability-slow-burn',
        AlarmActions: Match.absent(),
      });
    });
  });

  describe('with custom metrics and windows', () => {
    const raw = {
      defaults: {
        window: '28d',
        availabilityObjective: 0.999,
        latency: { quantile: 0.95, thresholdMs: 200 },
        currentBurnWindow: '1h',
      },
      burnRateAlerts: [{ name: 'fast', long: '1h', short: '5m', burnRate: 14.4, action: 'page' }],
      pathClasses: [],
      slos: [{ id: 'edge', description: 'edge up', sli: 'availability', selector: { source: 'edge' } }],
    };

    it('takes the counts from the given metrics, e.g. CloudFront', () => {
      const stack = newStack();
      const cloudFront = (metricName: string) =>
        new Metric({
          namespace: 'AWS/CloudFront',
          metricName,
          dimensionsMap: { DistributionId: 'E1', Region: 'Global' },
        });

      new SloAlarms(stack, 'Slo', {
        definitions: parseSloDefinitions(raw),
        metricsFor: () => ({ valid: cloudFront('Requests'), bad: cloudFront('5xxErrors') }),
        alarmNamePrefix: 'edge',
      });

      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'edge-edge-fast-short',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(valid > 0, bad / valid, 0) / 0.001' }),
          Match.objectLike({
            Id: 'valid',
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({ Namespace: 'AWS/CloudFront' }),
              Period: 300,
            }),
          }),
        ]),
      });
    });

    it('rejects a window CloudWatch cannot evaluate, naming the SLO', () => {
      const tooLong = {
        ...raw,
        burnRateAlerts: [{ name: 'slow', long: '8d', short: '1d', burnRate: 1, action: 'ticket' }],
      };
      expect(() => new SloAlarms(newStack(), 'Slo', { definitions: parseSloDefinitions(tooLong) })).toThrow(
        SloDefinitionError,
      );
      expect(() => new SloAlarms(newStack(), 'Slo', { definitions: parseSloDefinitions(tooLong) })).toThrow(
        /SLO edge: a 11520-minute alert window/,
      );
    });
  });
});
