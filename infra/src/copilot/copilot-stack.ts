import { readFileSync } from 'node:fs';
import { CfnOutput, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { EcsRunFargateTask } from 'aws-cdk-lib/aws-scheduler-targets';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { secureBucket } from '../constructs/secure-bucket.ts';
import { SingleTable } from '../constructs/single-table.ts';
import { UserDirectory } from '../constructs/user-directory.ts';
import type { DeploymentContext } from '../context.ts';
import { CONTENT_ACCESS_LOG_PREFIX } from '../delivery/content-storage.ts';
import type { DeliveryStack } from '../delivery/delivery-stack.ts';
import type { ObservabilityStack } from '../observability/observability-stack.ts';
import { approvedPrewarm, type Tunables } from '../tunables.ts';
import { DELIVERY_FUNCTIONS } from '../delivery/functions.ts';
import { CopilotPermissions } from './copilot-iam.ts';
import { CopilotService } from './copilot-service.ts';
import { DashboardSite, dashboardBuildHash } from './dashboard-site.ts';

export interface CopilotStackProps extends StackProps {
  readonly context: DeploymentContext;
  readonly delivery: DeliveryStack;
  readonly observability: ObservabilityStack;
  /** Stacks the copilot's change sets may update, each in its region. */
  readonly changeSetStacks: readonly { readonly name: string; readonly region: string }[];
  /** The tunables the stacks were built from: the pre-warming loop's approved bounds (`lambda.prewarm`). */
  readonly tunables: Tunables;
}

/**
 * The context the copilot synthesizes with to reproduce what was deployed. File paths name files on the
 * deploying machine, not in the image, so what they hold travels instead: the signing public key as PEM (a
 * public key), the dashboard build as its content hash (the upload's name; the files stay in the asset bucket).
 */
function deployedContext(context: DeploymentContext): Partial<DeploymentContext> {
  const { signingPublicKeyFile, dashboardDir, ...rest } = context;
  const values: Record<string, unknown> = {
    ...rest,
    ...(signingPublicKeyFile && !rest.signingPublicKey
      ? { signingPublicKey: readFileSync(signingPublicKeyFile, 'utf8') }
      : {}),
    ...(dashboardDir && !rest.dashboardAssetHash
      ? { dashboardAssetHash: dashboardBuildHash(dashboardDir) }
      : {}),
  };
  // In name order: the copilot's own synthesis hands on the same JSON, so its CopilotStack template is unchanged.
  return Object.fromEntries(
    Object.entries(values)
      .filter(([name, value]) => value !== undefined && name !== 'placeholderAccount')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The daily optimisation report: 06:15 UTC, after the previous day's billing and logs have settled. */
const DAILY_REPORT_SCHEDULE = 'cron(15 6 * * ? *)';

/**
 * The operations copilot in AWS: its service on ECS Fargate, the operators' user pool, its state table, the
 * dashboard on S3 + CloudFront, the daily report on EventBridge Scheduler, and IAM that reads telemetry and
 * writes only through guarded mitigations and approved change sets.
 */
export class CopilotStack extends Stack {
  readonly operators: UserDirectory;
  readonly table: SingleTable;
  readonly service: CopilotService;
  readonly dashboard: DashboardSite;
  readonly permissions: CopilotPermissions;
  readonly reports: Bucket;

  constructor(scope: Construct, id: string, props: CopilotStackProps) {
    super(scope, id, props);
    const { context, delivery, observability } = props;
    const prefix = context.prefix;
    this.operators = new UserDirectory(this, 'Operators', {
      userPoolName: `${prefix}-operators`,
      groups: ['viewer', 'on_call', 'owner'],
      mfa: 'required',
      selfSignUp: false,
      appClientName: 'copilot-dashboard',
    });
    this.table = new SingleTable(this, 'Table', {
      tableName: `${prefix}-copilot`,
      replicaRegions: [context.replicaRegion],
    });
    const logs = delivery.storage.logs;
    const reportsBucketName = `${prefix}-reports-${this.account}-${this.region}`;
    this.reports = secureBucket(this, 'Reports', {
      bucketName: reportsBucketName,
      accessLogs: { bucket: logs, prefix: 's3-access/reports/' },
    });
    this.permissions = new CopilotPermissions(this, 'Permissions', { stacks: props.changeSetStacks });
    const { serviceRole, reportRole, changeSetRole } = this.permissions;

    // Read-only telemetry for both tasks; each writes only its own state.
    const functionNames = Object.values(DELIVERY_FUNCTIONS).map((spec) => spec.baseName);
    this.permissions.allowTelemetry({
      logBucketName: delivery.storage.logBucketName,
      logPrefix: 'cloudfront/',
      logGroups: [...functionNames.map((name) => `/aws/lambda/${name}`), delivery.api.accessLogGroupName],
      tableName: `${prefix}-copilot`,
    });
    this.permissions.allowContentRecency({
      contentBucketArn: delivery.storage.content.bucketArn,
      logBucketName: delivery.storage.logBucketName,
      accessLogPrefix: CONTENT_ACCESS_LOG_PREFIX,
    });
    delivery.edge.realtimeLogStream.grantRead(serviceRole);
    // The scale-out detections: read and delete from the copilot's own queue, nothing else in SQS.
    const detectionQueue = observability.pipeline.copilotQueue;
    serviceRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [detectionQueue.queueArn],
      }),
    );
    this.permissions.allowReports(reportsBucketName);
    this.permissions.allowChangeSetObjects(reportsBucketName);
    // Pre-warming: provisioned concurrency on the approved functions' alias only, within approved capacities.
    const prewarm = approvedPrewarm(props.tunables);
    this.permissions.allowProvisionedConcurrency(prewarm.functionNames, prewarm.alias);
    // Guarded, audited, expiring mitigations: the two IP sets the web ACL reads, nothing else in WAF.
    serviceRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
        resources: [delivery.webAcl.blockedAddresses.attrArn, delivery.webAcl.rateLimitedAddresses.attrArn],
      }),
    );

    const serviceClient = delivery.readers.serviceClient!;
    const clientSecret = new Secret(this, 'ServiceClientSecret', {
      secretName: `${prefix}/copilot-service-client-secret`,
      description:
        "The copilot-service app client's secret of the readers pool (copy it after the first deploy)",
    });
    const ipSet = (set: typeof delivery.webAcl.blockedAddresses) => `${set.name}|${set.attrId}|CLOUDFRONT`;
    this.service = new CopilotService(this, 'Service', {
      prefix,
      ...(context.copilotImage ? { image: context.copilotImage } : {}),
      taskRole: serviceRole,
      reportTaskRole: reportRole,
      accessLogs: logs,
      environment: {
        COPILOT_MODE: 'aws',
        COPILOT_REGION: this.region,
        COPILOT_TABLE: this.table.table.tableName,
        COPILOT_LOG_BUCKET: delivery.storage.logBucketName,
        COPILOT_LOG_PREFIX: 'cloudfront/',
        // Verification per cache behaviour: the path patterns in CloudFront's order (the tunables' keys).
        COPILOT_CACHE_PATTERNS: Object.keys(delivery.edge.cachePolicies).join(','),
        // The report's storage-class section: the content bucket's listing and its server access logs.
        COPILOT_CONTENT_BUCKET: delivery.storage.content.bucketName,
        COPILOT_CONTENT_ACCESS_LOG_PREFIX: CONTENT_ACCESS_LOG_PREFIX,
        COPILOT_KINESIS_STREAM: delivery.edge.realtimeLogStream.streamName,
        COPILOT_DETECTION_QUEUE_URL: detectionQueue.queueUrl,
        COPILOT_ADMIN_API_URL: delivery.api.url,
        COPILOT_WAF_BLOCK_IPSET: ipSet(delivery.webAcl.blockedAddresses),
        COPILOT_WAF_RATE_LIMIT_IPSET: ipSet(delivery.webAcl.rateLimitedAddresses),
        COPILOT_IDENTITY_ISSUER: this.operators.issuerUrl,
        COPILOT_IDENTITY_AUDIENCE: this.operators.appClient.userPoolClientId,
        COPILOT_JWKS_URL: this.operators.jwksUrl,
        COPILOT_SERVICE_TOKEN_URL: serviceClient.tokenUrl,
        COPILOT_SERVICE_CLIENT_ID: serviceClient.client.userPoolClientId,
        COPILOT_SERVICE_SCOPE: serviceClient.scope,
        // Where applied change sets are verified: the distribution's and the access API's CloudWatch metrics.
        COPILOT_DISTRIBUTION_ID: delivery.edge.distribution.distributionId,
        COPILOT_HTTP_API_ID: delivery.api.api.apiId,
        COPILOT_HTTP_API_STAGE: delivery.api.stage.stageName,
        COPILOT_API_LOG_GROUPS: functionNames.map((name) => `/aws/lambda/${name}`).join(','),
        // The daily report task reads throttling demand from it (boundless report --telemetry aws).
        COPILOT_API_ACCESS_LOG_GROUP: delivery.api.accessLogGroupName,
        COPILOT_REPORT_BUCKET: reportsBucketName,
        COPILOT_CHANGE_SET_ROLE_ARN: changeSetRole.roleArn,
        COPILOT_CFN_EXECUTION_ROLE_ARN: this.permissions.cloudFormationExecutionRoleArn,
        // The replica stack's change sets run in its region, with that region's bootstrap execution role.
        COPILOT_CFN_EXECUTION_ROLE_ARNS: Stack.of(this).toJsonString(
          this.permissions.cloudFormationExecutionRoleArns,
        ),
        // The copilot synthesizes the stacks again to apply a change set: with this context, the same templates.
        COPILOT_DEPLOYMENT_CONTEXT: JSON.stringify(deployedContext(context)),
        COPILOT_PREWARM_MODE: prewarm.mode,
        ...(prewarm.mode === 'off'
          ? {}
          : {
              COPILOT_PREWARM_FUNCTIONS: prewarm.functionNames.join(','),
              COPILOT_PREWARM_ALIAS: prewarm.alias,
              COPILOT_PREWARM_MIN_CAPACITY: String(prewarm.minCapacity),
              COPILOT_PREWARM_MAX_CAPACITY: String(prewarm.maxCapacity),
              ...(prewarm.events.length > 0 && { COPILOT_PREWARM_EVENTS: prewarm.events.join(',') }),
            }),
      },
      secrets: { COPILOT_SERVICE_CLIENT_SECRET: clientSecret },
    });
    Validations.of(clientSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by regenerating the Cognito client secret, which Secrets Manager cannot do; see infra/README.md.',
    });

    this.dashboard = new DashboardSite(this, 'Dashboard', {
      prefix,
      loadBalancer: this.service.loadBalancer,
      logs,
      ...(context.dashboardDir ? { dashboardDir: context.dashboardDir } : {}),
      ...(context.dashboardAssetHash ? { dashboardAssetHash: context.dashboardAssetHash } : {}),
    });
    new Schedule(this, 'DailyReport', {
      scheduleName: `${prefix}-daily-report`,
      description: 'boundless report for the previous UTC day',
      schedule: ScheduleExpression.expression(DAILY_REPORT_SCHEDULE, TimeZone.ETC_UTC),
      target: new EcsRunFargateTask(this.service.cluster, {
        taskDefinition: this.service.reportTask,
        vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      }),
    });

    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.dashboard.distribution.distributionDomainName}`,
      description: 'operators dashboard and copilot API',
    });
    new CfnOutput(this, 'OperatorsUserPoolId', {
      value: this.operators.userPool.userPoolId,
      description: 'add operators here',
    });
    new CfnOutput(this, 'ServiceClientSecretArn', {
      value: clientSecret.secretArn,
      description: 'put the copilot-service client secret here',
    });
  }
}
