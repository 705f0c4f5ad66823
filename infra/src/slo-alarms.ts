import { readFileSync } from 'node:fs';
import {
  DEFAULT_SLO_DEFINITIONS_PATH,
  parseSloDefinitions,
  SLO_METRIC_NAMESPACE,
  type SloDefinition,
  SloDefinitionError,
  type SloDefinitions,
  SloError,
} from '@boundless/copilot/slo';
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmRule,
  AlarmState,
  ComparisonOperator,
  CompositeAlarm,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** Counts per SLO: valid events and the bad ones among them (Sum statistics; the period is set per window). */
interface SloMetricPair {
  readonly valid: IMetric;
  readonly bad: IMetric;
}

/** The metrics the SLO engine publishes per closed minute (`closedMinuteEmf`): `ValidEvents`, `BadEvents` by `Slo`. */
function sloEngineMetrics(slo: SloDefinition): SloMetricPair {
  const metric = (metricName: string) =>
    new Metric({
      namespace: SLO_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { Slo: slo.id },
      statistic: 'Sum',
    });
  return { valid: metric('ValidEvents'), bad: metric('BadEvents') };
}

export interface SloAlarmsProps {
  /** Parsed SLO definitions; the same data the copilot's SLO engine evaluates. */
  readonly definitions: SloDefinitions;
  /**
   * Where the good/valid counts of an SLO come from, e.g. API Gateway `5xx`/`Count` or CloudFront metrics.
   * @default the SLO engine's EMF metrics in the `Boundless/Slo` namespace (see `sloEngineMetrics`)
   */
  readonly metricsFor?: (slo: SloDefinition) => SloMetricPair;
  /**
   * Prefix of every alarm name.
   * @default 'boundless-slo'
   */
  readonly alarmNamePrefix?: string;
  /**
   * Notified when a `page` burn-rate pair goes into alarm.
   * @default no action
   */
  readonly pageAction?: IAlarmAction;
  /**
   * Notified when a `ticket` burn-rate pair goes into alarm.
   * @default no action
   */
  readonly ticketAction?: IAlarmAction;
}

export interface BurnRateAlarmPair {
  readonly long: Alarm;
  readonly short: Alarm;
  /** In alarm only while both windows burn faster than the pair's rate: the page or ticket itself. */
  readonly both: CompositeAlarm;
}

// PutMetricAlarm limits: period x evaluation periods at most 1 day below one-hour periods, 7 days otherwise.
const MAX_MINUTES_BELOW_HOUR = 1440;
const MAX_MINUTES = 7 * 1440;

function checkWindow(scope: Construct, slo: SloDefinition, minutes: number): void {
  const limit = minutes < 60 ? MAX_MINUTES_BELOW_HOUR : MAX_MINUTES;
  if (minutes > limit)
    throw new SloDefinitionError(
      `SLO ${slo.id}: a ${minutes}-minute alert window exceeds CloudWatch's ${limit}-minute evaluation range; ` +
        `use a shorter window in slos.json (scope ${scope.node.path})`,
    );
}

/** `1 - 0.9995` without the binary noise (0.0004999999999999449), so the template reads as written. */
function errorBudgetFraction(objective: number): string {
  return String(Number((1 - objective).toPrecision(12)));
}

/**
 * CloudWatch alarms for the multi-window, multi-burn-rate alerts of every SLO: per pair, one metric-math alarm
 * per window computing the burn rate over that window, and a composite alarm that is in ALARM only while both
 * are, as the copilot's SLO engine decides. Each window alarm uses a single period as long as the window, which
 * CloudWatch evaluates as a trailing window.
 */
export class SloAlarms extends Construct {
  /** By SLO id, then by alert name. */
  readonly pairs: ReadonlyMap<string, ReadonlyMap<string, BurnRateAlarmPair>>;
  /**
   * In alarm while any SLO's `page` pair is, named `<prefix>-page`: one alarm for every page-level burn, so a
   * CloudFormation change set (at most 5 rollback triggers) can roll back on all of them. No action of its own.
   */
  readonly pageRollUp: CompositeAlarm | undefined;

  constructor(scope: Construct, id: string, props: SloAlarmsProps) {
    super(scope, id);
    const prefix = props.alarmNamePrefix ?? 'boundless-slo';
    const metricsFor = props.metricsFor ?? sloEngineMetrics;
    const pairs = new Map<string, Map<string, BurnRateAlarmPair>>();
    for (const slo of props.definitions.slos) {
      const metrics = metricsFor(slo);
      const bySlo = new Map<string, BurnRateAlarmPair>();
      for (const alert of props.definitions.alerts) {
        const name = `${prefix}-${slo.id}-${alert.name}`;
        const windowAlarm = (which: 'long' | 'short', minutes: number) => {
          checkWindow(this, slo, minutes);
          return new Alarm(this, `${slo.id}-${alert.name}-${which}`, {
            alarmName: `${name}-${which}`,
            alarmDescription: `${slo.description}: burn rate over ${minutes} min above ${alert.burnRate}x`,
            metric: new MathExpression({
              expression: `IF(valid > 0, bad / valid, 0) / ${errorBudgetFraction(slo.objective)}`,
              usingMetrics: { valid: metrics.valid, bad: metrics.bad },
              period: Duration.minutes(minutes),
              label: `${slo.id} burn rate (${minutes} min)`,
            }),
            threshold: alert.burnRate,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            // No traffic burns no budget.
            treatMissingData: TreatMissingData.NOT_BREACHING,
          });
        };
        const long = windowAlarm('long', alert.longMinutes);
        const short = windowAlarm('short', alert.shortMinutes);
        const both = new CompositeAlarm(this, `${slo.id}-${alert.name}`, {
          compositeAlarmName: name,
          alarmDescription: `${alert.action}: ${slo.description} is spending its error budget at over ${alert.burnRate}x`,
          alarmRule: AlarmRule.allOf(
            AlarmRule.fromAlarm(long, AlarmState.ALARM),
            AlarmRule.fromAlarm(short, AlarmState.ALARM),
          ),
        });
        const action = alert.action === 'page' ? props.pageAction : props.ticketAction;
        if (action) both.addAlarmAction(action);
        bySlo.set(alert.name, { long, short, both });
      }
      pairs.set(slo.id, bySlo);
    }
    this.pairs = pairs;
    const pages = props.definitions.alerts.filter((a) => a.action === 'page').map((a) => a.name);
    const pageAlarms = [...pairs.values()].flatMap((bySlo) =>
      pages.flatMap((name) => {
        const pair = bySlo.get(name);
        return pair ? [pair.both] : [];
      }),
    );
    this.pageRollUp =
      pageAlarms.length === 0
        ? undefined
        : new CompositeAlarm(this, 'PageRollUp', {
            compositeAlarmName: `${prefix}-page`,
            alarmDescription: 'Some SLO is burning its error budget fast enough to page (rollback trigger)',
            alarmRule: AlarmRule.anyOf(...pageAlarms.map((a) => AlarmRule.fromAlarm(a, AlarmState.ALARM))),
          });
  }
}

/** Reads and validates slos.json synchronously, as CDK apps are built. */
export function readSloDefinitions(path: string | URL = DEFAULT_SLO_DEFINITIONS_PATH): SloDefinitions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SloError(`cannot read SLO definitions at ${String(path)}`, { cause });
  }
  try {
    return parseSloDefinitions(JSON.parse(text));
  } catch (cause) {
    if (cause instanceof SloError) throw cause;
    throw new SloDefinitionError(`SLO definitions at ${String(path)} are not valid JSON`, [], { cause });
  }
}
