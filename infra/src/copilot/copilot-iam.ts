import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface CopilotPermissionsProps {
  /** The stacks a change set may update, each in its region (the replica stack is not in the primary one). */
  readonly stacks: readonly { readonly name: string; readonly region: string }[];
  /** The CDK bootstrap qualifier (`cdk bootstrap --qualifier`). @default 'hnb659fds' */
  readonly bootstrapQualifier?: string;
}

export interface TelemetryGrant {
  readonly logBucketName: string;
  readonly logPrefix: string;
  readonly logGroups: readonly string[];
  readonly tableName: string;
}

/**
 * Least privilege for the copilot: the service and the daily report read telemetry and write only their own
 * state; the service also edits the web ACL's two IP sets (guarded, audited, expiring mitigations) and may
 * assume a separate role that creates and executes CloudFormation change sets of the Boundless stacks, which
 * is how an approved change set is applied. Nothing here updates a function, bucket or distribution directly,
 * except the pre-warming loop's provisioned concurrency on the aliases the tunables approve.
 * Every statement names its resources as strings, so each remaining wildcard is acknowledged with its reason.
 */
export class CopilotPermissions extends Construct {
  readonly serviceRole: Role;
  readonly reportRole: Role;
  readonly changeSetRole: Role;
  /** The CDK bootstrap's execution role CloudFormation applies a change set with, in this stack's region. */
  readonly cloudFormationExecutionRoleArn: string;
  /** The same role of each region a change-set stack lives in (each region is bootstrapped on its own). */
  readonly cloudFormationExecutionRoleArns: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: CopilotPermissionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tasks = new ServicePrincipal('ecs-tasks.amazonaws.com');
    this.serviceRole = new Role(this, 'Service', { assumedBy: tasks, description: 'copilot service' });
    this.reportRole = new Role(this, 'Report', { assumedBy: tasks, description: 'copilot daily report' });
    // Read-only APIs that take no resource narrower than *.
    this.forReaders(
      new PolicyStatement({
        actions: [
          'xray:GetTraceSummaries',
          'xray:BatchGetTraces',
          'ce:GetCostAndUsage',
          'ce:GetAnomalies',
          'cloudwatch:GetMetricData',
          'cloudwatch:DescribeAlarms',
          'logs:StartQuery',
          'logs:GetQueryResults',
          // Opens a cited Logs Insights row (@ptr) again; takes no resource-level permission.
          'logs:GetLogRecord',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
      'Resource::*',
      'X-Ray trace reads, Cost Explorer, CloudWatch metric data and Logs Insights queries accept only *; all are reads.',
    );

    this.changeSetRole = new Role(this, 'ChangeSets', {
      assumedBy: new ArnPrincipal(this.serviceRole.roleArn),
      description: 'creates and executes approved change sets of the Boundless stacks',
    });
    const stackArns = props.stacks.map(({ name, region }) =>
      stack.formatArn({ service: 'cloudformation', region, resource: 'stack', resourceName: `${name}/*` }),
    );
    this.changeSetRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'cloudformation:CreateChangeSet',
          'cloudformation:DescribeChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:DeleteChangeSet',
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:GetTemplate',
        ],
        resources: stackArns,
      }),
    );
    for (const { name, region } of props.stacks) {
      this.acknowledge(
        this.changeSetRole,
        `arn:<AWS::Partition>:cloudformation:${region}:${stack.account}:stack/${name}/*`,
        'A stack ARN ends in its unique id; the statement names each Boundless stack.',
      );
    }
    // CloudFormation applies the change set with the CDK bootstrap's execution role, never with the copilot's.
    const qualifier = props.bootstrapQualifier ?? 'hnb659fds';
    const executionRole = (region: string) =>
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `cdk-${qualifier}-cfn-exec-role-${stack.account}-${region}`,
      });
    const regions = [...new Set([stack.region, ...props.stacks.map((s) => s.region)])];
    this.cloudFormationExecutionRoleArns = Object.fromEntries(regions.map((r) => [r, executionRole(r)]));
    this.cloudFormationExecutionRoleArn = executionRole(stack.region);
    this.changeSetRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: regions.map(executionRole),
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    this.serviceRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [this.changeSetRole.roleArn] }),
    );
  }

  /** CloudFront standard logs under a prefix, the access API's log groups, and the copilot's own table. */
  allowTelemetry(grant: TelemetryGrant): void {
    const stack = Stack.of(this);
    const bucket = stack.formatArn({ service: 's3', region: '', account: '', resource: grant.logBucketName });
    this.forReaders(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [`${bucket}/${grant.logPrefix}*`] }),
      `Resource::arn:<AWS::Partition>:s3:::${grant.logBucketName}/${grant.logPrefix}*`,
      'Reads the CloudFront standard logs: every object under their prefix, nothing else in the bucket.',
    );
    this.forReaders(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket],
        conditions: { StringLike: { 's3:prefix': [`${grant.logPrefix}*`] } },
      }),
    );
    const logGroup = (name: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.forReaders(
      new PolicyStatement({ actions: ['logs:FilterLogEvents'], resources: grant.logGroups.map(logGroup) }),
    );
    for (const name of grant.logGroups) {
      for (const role of [this.serviceRole, this.reportRole])
        this.acknowledge(
          role,
          `arn:<AWS::Partition>:logs:${stack.region}:${stack.account}:log-group:${name}:*`,
          'A log group ARN ends in :* for its streams; each access API function is named.',
        );
    }
    const table = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: grant.tableName });
    this.forReaders(
      new PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DescribeTable',
        ],
        resources: [table, `${table}/index/*`],
      }),
      `Resource::arn:<AWS::Partition>:dynamodb:${stack.region}:${stack.account}:table/${grant.tableName}/index/*`,
      "The copilot's own state table: its single-table design queries the GSI.",
    );
  }

  /**
   * The storage-class section of the report: the content bucket's listing (sizes, ages; never its objects) and
   * its server access logs in the logs bucket (which titles were read when). The report task only.
   */
  allowContentRecency(grant: {
    contentBucketArn: string;
    logBucketName: string;
    accessLogPrefix: string;
  }): void {
    const logs = Stack.of(this).formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: grant.logBucketName,
    });
    this.reportRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [grant.contentBucketArn] }),
    );
    this.reportRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [`${logs}/${grant.accessLogPrefix}*`] }),
    );
    this.reportRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [logs],
        conditions: { StringLike: { 's3:prefix': [`${grant.accessLogPrefix}*`] } },
      }),
    );
    this.acknowledge(
      this.reportRole,
      `arn:<AWS::Partition>:s3:::${grant.logBucketName}/${grant.accessLogPrefix}*`,
      "Reads the content bucket's server access logs: every object under their prefix, nothing else in the bucket.",
    );
  }

  /** The report writes reports; the service reads them for the dashboard. */
  allowReports(bucketName: string): void {
    const objects = `${Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: bucketName })}/*`;
    const finding = `arn:<AWS::Partition>:s3:::${bucketName}/*`;
    this.reportRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects] }),
    );
    this.serviceRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }),
    );
    for (const role of [this.serviceRole, this.reportRole])
      this.acknowledge(role, finding, 'Reports are objects named by day under the reports bucket.');
  }

  /**
   * The change-set flow's objects under `change-sets/` of the reports bucket: the service reads and writes the
   * deployed tunables and puts templates too large to inline; CloudFormation reads those templates with the
   * change-set role's credentials.
   */
  allowChangeSetObjects(bucketName: string): void {
    const bucket = Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: bucketName });
    this.serviceRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [`${bucket}/change-sets/*`],
      }),
    );
    this.changeSetRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [`${bucket}/change-sets/templates/*`] }),
    );
    this.acknowledge(
      this.serviceRole,
      `arn:<AWS::Partition>:s3:::${bucketName}/change-sets/*`,
      "The deployed tunables and the change sets' templates, objects under one prefix of the reports bucket.",
    );
    this.acknowledge(
      this.changeSetRole,
      `arn:<AWS::Partition>:s3:::${bucketName}/change-sets/templates/*`,
      "CloudFormation reads a change set's uploaded template with the caller's credentials.",
    );
  }

  /**
   * The pre-warming loop's writes: provisioned concurrency on the approved functions' alias, nothing else in
   * Lambda (no function, version or other alias). The tunables' `lambda.prewarm` names them.
   */
  allowProvisionedConcurrency(functionNames: readonly string[], alias: string): void {
    if (functionNames.length === 0) return;
    const stack = Stack.of(this);
    const aliasArn = (name: string) =>
      stack.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: `${name}:${alias}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.serviceRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'lambda:PutProvisionedConcurrencyConfig',
          'lambda:DeleteProvisionedConcurrencyConfig',
          'lambda:GetProvisionedConcurrencyConfig',
        ],
        resources: functionNames.map(aliasArn),
      }),
    );
  }

  private forReaders(statement: PolicyStatement, finding?: string, reason?: string): void {
    for (const role of [this.serviceRole, this.reportRole]) {
      role.addToPrincipalPolicy(statement);
      if (finding && reason) this.acknowledge(role, finding, reason);
    }
  }

  private acknowledge(role: Role, finding: string, reason: string): void {
    const id = finding.startsWith('Resource::') ? finding : `Resource::${finding}`;
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${id}]`, reason });
  }
}
