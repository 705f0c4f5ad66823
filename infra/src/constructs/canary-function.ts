import { Duration, RemovalPolicy, TimeZone, Validations } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type ILambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { Alias } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { bundledFunction } from './bundled-function.ts';
import { Construct } from 'constructs';
import type { FunctionTunables, Tunables } from '../tunables.ts';

export interface CanaryFunctionProps {
  readonly functionName: string;
  readonly entry: string;
  readonly handler: string;
  readonly description: string;
  readonly settings: FunctionTunables;
  readonly environment: Record<string, string>;
  readonly deploy: Tunables['deploy'];
  readonly deploymentConfig: ILambdaDeploymentConfig;
}

/**
 * A bundled Node.js function behind a `live` alias that CodeDeploy shifts to each new version as a canary,
 * rolling back when the alias's error rate or p99 latency alarm fires; with provisioned concurrency on the
 * alias, target tracking on its utilisation and the scheduled pre-warm windows of the tunables.
 */
export class CanaryFunction extends Construct {
  readonly function: NodejsFunction;
  readonly alias: Alias;
  readonly errorRateAlarm: Alarm;
  readonly latencyAlarm: Alarm;
  readonly deploymentGroup: LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: CanaryFunctionProps) {
    super(scope, id);
    const { settings } = props;
    this.function = bundledFunction(this, 'Resource', {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: props.handler,
      memoryMb: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      environment: props.environment,
      // Earlier versions stay, so an alias can be pointed back at one on demand after a deploy completed.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });
    const pc = settings.provisionedConcurrency;
    this.alias = new Alias(this, 'Live', {
      aliasName: 'live',
      version: this.function.currentVersion,
      ...(pc ? { provisionedConcurrentExecutions: pc.baseline } : {}),
    });
    if (pc) {
      const scaling = this.alias.addAutoScaling({ minCapacity: pc.baseline, maxCapacity: pc.max });
      scaling.scaleOnUtilization({ utilizationTarget: pc.utilizationTarget });
      for (const window of pc.schedules) {
        scaling.scaleOnSchedule(window.name, {
          schedule: Schedule.expression(window.schedule),
          timeZone: TimeZone.of(window.timeZone),
          minCapacity: window.min,
          maxCapacity: window.max,
        });
      }
    }

    const minute = Duration.minutes(1);
    this.errorRateAlarm = new Alarm(this, 'ErrorRate', {
      alarmName: `${props.functionName}-canary-error-rate`,
      alarmDescription: `Rolls back a deployment of ${props.functionName}: errors above ${props.deploy.rollbackErrorRatePercent} % of invocations`,
      metric: new MathExpression({
        expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
        usingMetrics: {
          errors: this.alias.metricErrors({ period: minute, statistic: 'Sum' }),
          invocations: this.alias.metricInvocations({ period: minute, statistic: 'Sum' }),
        },
        period: minute,
        label: 'error rate (%)',
      }),
      threshold: props.deploy.rollbackErrorRatePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.latencyAlarm = new Alarm(this, 'LatencyP99', {
      alarmName: `${props.functionName}-canary-latency-p99`,
      alarmDescription: `Rolls back a deployment of ${props.functionName}: p99 duration above ${props.deploy.rollbackP99LatencyMs} ms`,
      metric: this.alias.metricDuration({ period: minute, statistic: 'p99' }),
      threshold: props.deploy.rollbackP99LatencyMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Canary', {
      alias: this.alias,
      deploymentConfig: props.deploymentConfig,
      alarms: [this.errorRateAlarm, this.latencyAlarm],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    acknowledgeFunctionFindings(this);
  }
}

/** Findings of cdk-nag's AwsSolutions pack every canary function carries, each with its reason. */
function acknowledgeFunctionFindings(fn: CanaryFunction): void {
  const ack = (scope: Construct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  ack(
    fn.deploymentGroup,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    'The policy AWS maintains for CodeDeploy Lambda deployments: alias updates, pre/post hooks named CodeDeployHook_*, alarm reads.',
  );
}
