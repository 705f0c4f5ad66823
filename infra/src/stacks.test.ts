/**
 * The app as `cdk synth` builds it: the pinned CLI runs cdk.json's app once (cdk-nag and CloudFormation
 * validation included; bundling limited to a stack without functions, so no esbuild run), and every
 * assertion reads the templates it wrote.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REALTIME_LOG_FIELDS } from '@boundless/delivery';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_NAMES } from './app-builder.ts';
import { rollbackAlarmsFor } from './copilot/aws-change-sets.ts';
import { VIEWER_REQUEST_SOURCE } from './delivery/edge.ts';
import { DELIVERY_FUNCTIONS } from './delivery/functions.ts';
import { readSloDefinitions } from './slo-alarms.ts';
import { loadTunables } from './tunables.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized templates and patched tunables are untyped JSON.
type Json = any;

const INFRA = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
const cli = spawnSync(
  join(INFRA, '../node_modules/.bin/cdk'),
  [
    'synth',
    '--quiet',
    '--exclusively',
    STACK_NAMES.replica,
    '--output',
    out,
    '--no-notices',
    '--no-version-reporting',
  ],
  { cwd: INFRA, encoding: 'utf8', env: { ...process.env, CDK_DEFAULT_ACCOUNT: '', CI: 'true' } },
);
const templates = new Map<string, Template>();
/** The CLI's template of a stack, read once (a failed synthesis fails here, after the first test says why). */
const template = (stack: string): Template => {
  let t = templates.get(stack);
  if (t === undefined) {
    t = Template.fromJSON(JSON.parse(readFileSync(join(out, `${stack}.template.json`), 'utf8')));
    templates.set(stack, t);
  }
  return t;
};
const tunables = loadTunables();
const functionCount = Object.keys(DELIVERY_FUNCTIONS).length;

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('cdk synth (the pinned CLI, cdk.json)', () => {
  it('synthesizes every stack with cdk-nag and the template validation passing', () => {
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({
      status: 0,
      stderr: expect.not.stringMatching(/Validation failed|\bERROR\b/),
    });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toEqual(expect.arrayContaining(Object.values(STACK_NAMES)));
  });
});

describe('Stack: BoundlessDelivery', () => {
  let t: Template;
  beforeAll(() => {
    t = template(STACK_NAMES.delivery);
  });

  it('tiers titles to Standard-IA then Glacier Instant Retrieval and replicates them to the DR region', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      // Server access logs: the report's storage-class section reads which titles were read when.
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 's3-access/content/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'tier-by-age',
            Transitions: [
              {
                StorageClass: 'STANDARD_IA',
                TransitionInDays: tunables.storage.content.infrequentAccessAfterDays,
              },
              {
                StorageClass: 'GLACIER_IR',
                TransitionInDays: tunables.storage.content.glacierInstantRetrievalAfterDays,
              },
            ],
            NoncurrentVersionExpiration: {
              NoncurrentDays: tunables.storage.content.noncurrentVersionExpirationDays,
            },
          }),
        ]),
      },
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Destination: Match.objectLike({
              Bucket: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':s3:::boundless-replica-000000000000-us-west-2'],
                ],
              },
              StorageClass: 'STANDARD_IA',
            }),
          }),
        ],
      },
    });
  });

  it('serves every path pattern with its own cache policy and the tunables TTLs, keyed on the path only', () => {
    for (const [pattern, ttl] of Object.entries(tunables.cache.behaviors)) {
      t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({
          Comment: Match.stringLikeRegexp(pattern.replace(/[*.]/g, '\\$&')),
          DefaultTTL: ttl.defaultTtlSeconds,
          MinTTL: ttl.minTtlSeconds,
          MaxTTL: ttl.maxTtlSeconds,
          ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
            QueryStringsConfig: { QueryStringBehavior: 'none' },
            CookiesConfig: { CookieBehavior: 'none' },
            HeadersConfig: { HeaderBehavior: 'none' },
          }),
        }),
      });
    }
    t.resourceCountIs('AWS::CloudFront::CachePolicy', Object.keys(tunables.cache.behaviors).length);
  });

  it('checks signed cookies and runs the viewer-request function on the titles only, behind the web ACL and Origin Shield', () => {
    const distribution = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0] as {
      Properties: { DistributionConfig: Record<string, Json> };
    };
    const config = distribution.Properties.DistributionConfig;
    const behaviors = config.CacheBehaviors as Record<string, Json>[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['/titles/*.epub', '/titles/*', '/public/*']);
    for (const b of behaviors.filter((b) => b.PathPattern.startsWith('/titles/'))) {
      expect(b.TrustedKeyGroups).toHaveLength(1);
      expect(b.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
      expect(b.ViewerProtocolPolicy).toBe('https-only');
    }
    for (const b of [
      ...behaviors.filter((b) => b.PathPattern === '/public/*'),
      config.DefaultCacheBehavior,
    ]) {
      expect(b.TrustedKeyGroups).toBeUndefined();
      expect(b.FunctionAssociations).toBeUndefined();
    }
    for (const b of [...behaviors, config.DefaultCacheBehavior]) expect(b.RealtimeLogConfigArn).toBeDefined();
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebAcl/), 'Arn'] });
    expect(config.Origins[0].OriginShield).toEqual({ Enabled: true, OriginShieldRegion: 'us-east-1' });
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Logging).toEqual(expect.objectContaining({ Prefix: 'cloudfront/' }));
  });

  it('deploys the very viewer-request function the local edge runs, with its KeyValueStore', () => {
    const source = readFileSync(VIEWER_REQUEST_SOURCE, 'utf8');
    t.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: source,
      FunctionConfig: Match.objectLike({
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [Match.objectLike({ KeyValueStoreARN: Match.anyValue() })],
      }),
      AutoPublish: true,
    });
    t.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
  });

  it('sends real-time logs with the fields the consumers parse, in their order', () => {
    t.hasResourceProperties('AWS::CloudFront::RealtimeLogConfig', {
      Fields: [...REALTIME_LOG_FIELDS],
      SamplingRate: tunables.scaleOut.realtimeLogSamplingPercent,
    });
    t.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: tunables.scaleOut.realtimeLogShards });
  });

  it('blocks and rate-limits the IP sets the copilot edits, and rate-limits every address, from the tunables', () => {
    // The names the local web ACL gives its sets (local/src/waf), so one copilot configuration reads both.
    for (const name of ['boundless-blocked-addresses', 'boundless-rate-limited-addresses'])
      t.hasResourceProperties('AWS::WAFv2::IPSet', { Name: name, Scope: 'CLOUDFRONT', Addresses: [] });
    const rules = (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0] as Json).Properties
      .Rules as Json[];
    const byName = Object.fromEntries(rules.map((r) => [r.Name, r]));
    expect(byName['block-listed-addresses'].Statement.IPSetReferenceStatement).toBeDefined();
    const listed = byName['rate-limit-listed-addresses'].Statement.RateBasedStatement;
    expect(listed.Limit).toBe(tunables.waf.rateRules.listedAddresses.limit);
    expect(listed.ScopeDownStatement.IPSetReferenceStatement).toBeDefined();
    expect(byName['rate-limit-every-address'].Statement.RateBasedStatement.Limit).toBe(
      tunables.waf.rateRules.perAddress.limit,
    );
  });

  it('runs one function per route, each with the memory of the tunables, behind the JWT authorizer', () => {
    t.resourceCountIs('AWS::Lambda::Function', functionCount);
    for (const spec of Object.values(DELIVERY_FUNCTIONS)) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: spec.baseName,
        Handler: `index.${spec.handler}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: tunables.lambda.functions[spec.handler]?.memoryMb ?? tunables.lambda.defaults.memoryMb,
      });
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: spec.routeKey,
        AuthorizationType: 'JWT',
      });
    }
  });

  it("lets the copilot's client-credentials token through the authorizer, mapped to the copilot role by client and scope", () => {
    const clients = Object.entries(t.findResources('AWS::Cognito::UserPoolClient'));
    const service = clients.find(([, c]) => (c as Json).Properties.ClientName === 'copilot-service')![0];
    const reader = clients.find(([, c]) => (c as Json).Properties.ClientName === 'reader-app')![0];
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: Match.objectLike({ Audience: [{ Ref: reader }, { Ref: service }] }),
    });
    for (const fn of Object.values(t.findResources('AWS::Lambda::Function')) as Json[]) {
      const grants = fn.Properties.Environment.Variables.BOUNDLESS_IDENTITY_SERVICE_CLIENTS;
      // CloudFormation joins the client id into the JSON: read the parts around it.
      const text = JSON.stringify(grants);
      expect(text).toContain(`{"Ref":"${service}"}`);
      expect(text).toContain('\\"scope\\":\\"boundless-delivery/admin\\"');
      expect(text).toContain('\\"role\\":\\"copilot\\"');
      expect(text).not.toContain(reader);
    }
  });

  it('reads secrets from Secrets Manager at start, never from the function configuration', () => {
    for (const fn of Object.values(t.findResources('AWS::Lambda::Function')) as Json[]) {
      const env = fn.Properties.Environment.Variables;
      expect(env.BOUNDLESS_CLOUDFRONT_PRIVATE_KEY).toBeUndefined();
      expect(env.BOUNDLESS_EDGE_TOKEN_SECRETS).toBeUndefined();
      expect(env.BOUNDLESS_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN).toEqual({
        Ref: expect.stringMatching(/^SigningPrivateKey/),
      });
    }
  });

  it('provisions concurrency on the live alias with target tracking and the pre-warm schedules', () => {
    const pc = tunables.lambda.functions.grantAccess!.provisionedConcurrency!;
    t.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: pc.baseline },
    });
    t.resourcePropertiesCountIs('AWS::Lambda::Alias', { ProvisionedConcurrencyConfig: Match.anyValue() }, 1);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: pc.baseline,
      MaxCapacity: pc.max,
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ScheduledActions: pc.schedules.map((s) =>
        Match.objectLike({
          Schedule: s.schedule,
          ScalableTargetAction: { MinCapacity: s.min, MaxCapacity: s.max },
        }),
      ),
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: pc.utilizationTarget }),
    });
  });

  it('shifts each alias as a canary and rolls back when its error or latency alarm fires', () => {
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'Lambda',
      TrafficRoutingConfig: {
        Type: 'TimeBasedCanary',
        TimeBasedCanary: {
          CanaryPercentage: tunables.deploy.canaryPercent,
          CanaryInterval: tunables.deploy.canaryIntervalMinutes,
        },
      },
    });
    t.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', functionCount);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [Match.anyValue(), Match.anyValue()] },
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      },
    });
    t.hasResource('AWS::Lambda::Alias', {
      UpdatePolicy: {
        CodeDeployLambdaAliasUpdate: Match.objectLike({ DeploymentGroupName: Match.anyValue() }),
      },
    });
  });

  it('throttles the stage and the routes the tunables name', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: tunables.api.throttling.default.rateLimit,
        ThrottlingBurstLimit: tunables.api.throttling.default.burstLimit,
      }),
      RouteSettings: Object.fromEntries(
        Object.entries(tunables.api.throttling.routes).map(([route, l]) => [
          route,
          { ThrottlingRateLimit: l.rateLimit, ThrottlingBurstLimit: l.burstLimit },
        ]),
      ),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('writes access logs as JSON lines with the fields the report reads (route, status, latency)', () => {
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0] as Json;
    const line = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(line).toMatchObject({
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
    });
  });

  it('keeps the delivery table as a global table with TTL and point-in-time recovery in both regions', () => {
    for (const Region of ['us-east-1', 'us-west-2']) {
      t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: 'boundless-delivery',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: Match.arrayWith([
          Match.objectLike({
            Region,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ]),
      });
    }
  });
});

describe('Stack: BoundlessObservability', () => {
  let t: Template;
  beforeAll(() => {
    t = template(STACK_NAMES.observability);
  });

  it('routes real-time logs to a subject stream and a global stream, one ordered invocation per shard', () => {
    t.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'boundless-detector-subjects',
      ShardCount: tunables.scaleOut.subjectShards,
    });
    t.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'boundless-detector-global', ShardCount: 1 });
    t.resourcePropertiesCountIs(
      'AWS::Lambda::EventSourceMapping',
      {
        ParallelizationFactor: 1,
        BisectBatchOnFunctionError: false,
        BatchSize: tunables.scaleOut.batchSize,
        StartingPosition: 'TRIM_HORIZON',
      },
      3,
    );
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'boundless-detector-router',
      Environment: { Variables: Match.objectLike({ BOUNDLESS_BUCKETS: String(tunables.scaleOut.buckets) }) },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'boundless-detector-consumer',
      MemorySize: tunables.scaleOut.consumerMemoryMb,
      Environment: {
        Variables: Match.objectLike({
          BOUNDLESS_REPLAY_HORIZON_MINUTES: String(tunables.scaleOut.replayHorizonMinutes),
        }),
      },
    });
    t.hasResourceProperties('AWS::Events::Archive', { ArchiveName: 'boundless-detections' });
  });

  it("hands every detection to the copilot's queue through an EventBridge rule, with a dead-letter queue", () => {
    const queues = t.findResources('AWS::SQS::Queue');
    const id = (name: string) =>
      Object.entries(queues).find(([, q]) => (q as Json).Properties.QueueName === name)![0];
    const queue = id('boundless-copilot-detections');
    const dlq = id('boundless-copilot-detections-dlq');
    expect((queues[queue] as Json).Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
      maxReceiveCount: 5,
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['boundless.scale-out'], 'detail-type': ['Abuse detection'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } })],
    });
    // Only that rule may send to the queue.
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('DetectionsToCopilot'), 'Arn'] },
              },
            },
          }),
        ]),
      }),
    });
  });

  it('opens a ticket as soon as a detection lands in the dead-letter queue, on the topic the lag alarms use', () => {
    const queues = t.findResources('AWS::SQS::Queue');
    const dlq = Object.entries(queues).find(
      ([, q]) => (q as Json).Properties.QueueName === 'boundless-copilot-detections-dlq',
    )![0];
    const ticket = Match.stringLikeRegexp('^AlertsTicket');
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'boundless-copilot-detections-dlq',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: ticket }],
    });
    // The same topic as the detectors' lag alarms.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'boundless-consumer-lag',
      AlarmActions: [{ Ref: ticket }],
    });
  });

  it('raises a page or ticket composite alarm for every SLO and burn-rate pair of slos.json', () => {
    const slos = readSloDefinitions();
    // Plus the roll-up of the page-level pairs, the change sets' rollback trigger.
    t.resourceCountIs('AWS::CloudWatch::CompositeAlarm', slos.slos.length * slos.alerts.length + 1);
    const page = slos.alerts.find((a) => a.action === 'page')!;
    t.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: `boundless-slo-${slos.slos[0]!.id}-${page.name}`,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsPage') }],
    });
  });

  it('watches cost: an anomaly monitor over services and a monthly budget from the tunables', () => {
    t.hasResourceProperties('AWS::CE::AnomalyMonitor', {
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    });
    t.hasResourceProperties('AWS::CE::AnomalySubscription', {
      ThresholdExpression: Match.serializedJson(
        Match.objectLike({
          Dimensions: Match.objectLike({ Values: [String(tunables.cost.anomalyImpactUsd)] }),
        }),
      ),
    });
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({ BudgetLimit: { Amount: tunables.cost.monthlyBudgetUsd, Unit: 'USD' } }),
      NotificationsWithSubscribers: Match.arrayWith([
        Match.objectLike({
          Notification: Match.objectLike({ NotificationType: 'FORECASTED', Threshold: 100 }),
        }),
      ]),
    });
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('Rollback triggers of change sets, per stack', () => {
  const where = {
    prefix: 'boundless',
    account: '000000000000',
    partition: 'aws',
    primaryRegion: 'us-east-1',
  };
  const all = () =>
    Object.fromEntries(
      Object.values(STACK_NAMES).map((name) => [
        name,
        JSON.parse(readFileSync(join(out, `${name}.template.json`), 'utf8')),
      ]),
    );
  const names = (arns: string[]) => arns.map((arn) => arn.slice(arn.lastIndexOf(':') + 1));

  it("guard the delivery core with its SLOs' page roll-up and its functions' canary roll-up", () => {
    const templates = all();
    expect(
      names(rollbackAlarmsFor(STACK_NAMES.delivery, templates, { ...where, region: 'us-east-1' })),
    ).toEqual(['boundless-slo-page', 'boundless-delivery-canary']);
    const canary = Object.values(templates[STACK_NAMES.delivery].Resources as Record<string, Json>).find(
      (r) => r.Properties?.AlarmName === 'boundless-delivery-canary',
    );
    // Every function's two guards, and nothing else.
    expect(JSON.stringify(canary.Properties.AlarmRule).match(/ALARM\(/g)).toHaveLength(2 * functionCount);
  });

  it('guard the observability stack with its own detector lag alarms, not the delivery SLOs', () => {
    expect(
      names(rollbackAlarmsFor(STACK_NAMES.observability, all(), { ...where, region: 'us-east-1' })),
    ).toEqual(['boundless-consumer-lag', 'boundless-router-lag']);
  });

  it('give the replica stack no trigger: no alarm lives in its region, and CloudFormation takes none from another', () => {
    expect(rollbackAlarmsFor(STACK_NAMES.replica, all(), { ...where, region: 'us-west-2' })).toEqual([]);
  });
});

describe('Stack: BoundlessCopilot', () => {
  let t: Template;
  let roles: Record<string, Json>;
  let policies: Json[];
  beforeAll(() => {
    t = template(STACK_NAMES.copilot);
    roles = t.findResources('AWS::IAM::Role');
    policies = Object.values(t.findResources('AWS::IAM::Policy'));
  });
  const statementsOf = (rolePrefix: string) =>
    policies
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref.startsWith(rolePrefix)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
  const actions = (statements: Json[]) => statements.flatMap((s) => [s.Action].flat() as string[]);

  it('runs one copilot task on Fargate in aws mode, its client secret from Secrets Manager', () => {
    t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1, LaunchType: 'FARGATE' });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'COPILOT_MODE', Value: 'aws' }]),
          Secrets: [Match.objectLike({ Name: 'COPILOT_SERVICE_CLIENT_SECRET' })],
        }),
      ],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourcePrefixListId: 'pl-3b927c52',
      FromPort: 80,
    });
  });

  it('serves the dashboard from S3 and the API through a VPC origin, and schedules the daily report', () => {
    t.hasResourceProperties('AWS::CloudFront::VpcOrigin', Match.anyValue());
    const distribution = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0] as Json;
    expect(distribution.Properties.DistributionConfig.CacheBehaviors.map((b: Json) => b.PathPattern)).toEqual(
      ['/api/*', '/socket.io/*'],
    );
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 6 * * ? *)',
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ LaunchType: 'FARGATE' }) }),
    });
  });

  it('requires a second factor for operators', () => {
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'boundless-operators',
      MfaConfiguration: 'ON',
    });
  });

  it('gives the copilot and the report read-only telemetry: no write outside their own state', () => {
    const service = actions(statementsOf('PermissionsService'));
    const report = actions(statementsOf('PermissionsReport'));
    const writes = /:(Put|Update|Delete|Create|Execute|Invoke|Pass|Attach|Tag)|:BatchWrite|AssumeRole/;
    expect(service.filter((a) => writes.test(a)).sort()).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        // Pre-warming, on the approved functions' alias only (below).
        'lambda:DeleteProvisionedConcurrencyConfig',
        'lambda:PutProvisionedConcurrencyConfig',
        's3:PutObject',
        // Consuming the scale-out detections from its own queue (below).
        'sqs:DeleteMessage',
        'sts:AssumeRole',
        'wafv2:UpdateIPSet',
      ].sort(),
    );
    const sqs = statementsOf('PermissionsService').filter((s) =>
      actions([s]).some((a) => a.startsWith('sqs:')),
    );
    expect(sqs).toEqual([
      expect.objectContaining({
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: { 'Fn::ImportValue': expect.stringMatching(/CopilotDetections/) },
      }),
    ]);
    // Its one S3 write: the deployed tunables and the change sets' templates, under change-sets/ only.
    const puts = statementsOf('PermissionsService').filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(puts.map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringMatching(/-reports-[^"]*\/change-sets\/\*"\]\]}$/),
    ]);
    expect(report.filter((a) => writes.test(a)).sort()).toEqual(
      ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 's3:PutObject'].sort(),
    );
    for (const a of [...service, ...report]) expect(a).not.toMatch(/^(cloudfront|iam|cloudformation):/);
    expect(report.filter((a) => a.startsWith('lambda:'))).toEqual([]);
  });

  it("lets the service set provisioned concurrency only on the approved functions' alias, and hands it the bounds", () => {
    const lambda = statementsOf('PermissionsService').filter((s) =>
      actions([s]).some((a) => a.startsWith('lambda:')),
    );
    expect(lambda).toHaveLength(1);
    expect(lambda[0].Action).toEqual([
      'lambda:PutProvisionedConcurrencyConfig',
      'lambda:DeleteProvisionedConcurrencyConfig',
      'lambda:GetProvisionedConcurrencyConfig',
    ]);
    const prewarm = tunables.lambda.prewarm!;
    // The approved functions minus those a provisioned-concurrency schedule owns, each on the approved alias.
    const approved = prewarm.functions
      .filter((handler) => !tunables.lambda.functions[handler]?.provisionedConcurrency)
      .map((handler) => DELIVERY_FUNCTIONS[handler as keyof typeof DELIVERY_FUNCTIONS].baseName);
    expect(approved.length).toBeGreaterThan(0);
    const resources = [lambda[0].Resource].flat().map((r: Json) => JSON.stringify(r));
    expect(resources).toHaveLength(approved.length);
    for (const [i, name] of approved.entries())
      expect(resources[i]).toMatch(new RegExp(`:lambda:us-east-1:[^"]*:function:${name}:${prewarm.alias}"`));
    const container = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as Json;
    const env = Object.fromEntries(
      (container.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map(
        (e) => [e.Name, e.Value],
      ),
    );
    expect(env).toMatchObject({
      COPILOT_PREWARM_MODE: prewarm.mode,
      COPILOT_PREWARM_FUNCTIONS: approved.join(','),
      COPILOT_PREWARM_ALIAS: prewarm.alias,
      COPILOT_PREWARM_MIN_CAPACITY: String(prewarm.minCapacity),
      COPILOT_PREWARM_MAX_CAPACITY: String(prewarm.maxCapacity),
    });
    // The release calendar only when the tunables list one.
    expect(env.COPILOT_PREWARM_EVENTS).toBe(prewarm.events.length > 0 ? prewarm.events.join(',') : undefined);
  });

  it("lets only the report read the content bucket's listing and its access logs, and names them", () => {
    const s3Reads = (role: string) =>
      statementsOf(role)
        .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')))
        .map((s) => `${[s.Action].flat().join(',')} ${JSON.stringify(s.Resource)}`);
    const report = s3Reads('PermissionsReport');
    expect(report).toContainEqual(expect.stringMatching(/^s3:ListBucket .*StorageContent/));
    expect(report).toContainEqual(
      expect.stringMatching(/^s3:GetObject .*boundless-logs-[^"]*\/s3-access\/content\/\*/),
    );
    const service = s3Reads('PermissionsService').join('\n');
    expect(service).not.toMatch(/StorageContent|s3-access/);
    // Never the titles themselves.
    expect(report.filter((r) => r.includes('s3:GetObject') && r.includes('StorageContent'))).toEqual([]);
    const container = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as Json;
    const environment = container.Properties.ContainerDefinitions[0].Environment as Json[];
    const value = (name: string) => environment.find((e) => e.Name === name)?.Value;
    expect(value('COPILOT_CACHE_PATTERNS')).toBe(Object.keys(tunables.cache.behaviors).join(','));
    expect(value('COPILOT_CONTENT_ACCESS_LOG_PREFIX')).toBe('s3-access/content/');
    expect(value('COPILOT_CONTENT_BUCKET')).toBeDefined();
  });

  it("tells the service the deployment context it synthesizes with, without the deploying machine's paths", () => {
    const container = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as Json;
    const environment = container.Properties.ContainerDefinitions[0].Environment as {
      Name: string;
      Value: unknown;
    }[];
    const context = JSON.parse(
      environment.find((e) => e.Name === 'COPILOT_DEPLOYMENT_CONTEXT')?.Value as string,
    );
    expect(context).toMatchObject({ prefix: 'boundless', replicaRegion: 'us-west-2' });
    expect(context).not.toHaveProperty('signingPublicKeyFile');
    expect(context).not.toHaveProperty('dashboardDir');
    expect(environment.map((e) => e.Name)).toContain('COPILOT_CFN_EXECUTION_ROLE_ARN');
    // Where change sets are verified (CloudWatch) and where the report reads throttling demand (CloudWatch Logs).
    expect(environment.map((e) => e.Name)).toEqual(
      expect.arrayContaining([
        'COPILOT_DISTRIBUTION_ID',
        'COPILOT_HTTP_API_ID',
        'COPILOT_HTTP_API_STAGE',
        'COPILOT_API_ACCESS_LOG_GROUP',
        'COPILOT_DETECTION_QUEUE_URL',
      ]),
    );
    expect(environment.find((e) => e.Name === 'COPILOT_API_ACCESS_LOG_GROUP')?.Value).toBe(
      '/aws/apigateway/boundless-access',
    );
  });

  it('applies change sets only through a role the service assumes, passing only the bootstrap execution role', () => {
    const changeSet = statementsOf('PermissionsChangeSets');
    expect(actions(changeSet)).toContain('cloudformation:ExecuteChangeSet');
    const pass = changeSet.find((s) => s.Action === 'iam:PassRole');
    expect(pass.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
    // Every change-set stack in its own region, the replica's included, and each region's bootstrap role.
    const cfn = changeSet.find((s) => [s.Action].flat().includes('cloudformation:ExecuteChangeSet'));
    // The role ARNs are joined with the account: the region is the literal ending the name.
    const regionsOf = (resources: Json) =>
      [resources].flat().map((r: Json) => /([a-z]{2}-[a-z]+-\d)"\]\]\}$/.exec(JSON.stringify(r))?.[1]);
    expect(
      [cfn.Resource]
        .flat()
        .map((r: Json) => JSON.stringify(r))
        .map((r: string) =>
          [/:cloudformation:([a-z0-9-]+):/.exec(r)?.[1], /stack\/(\w+)\//.exec(r)?.[1]].join(' '),
        )
        .sort(),
    ).toEqual([
      'us-east-1 BoundlessDelivery',
      'us-east-1 BoundlessObservability',
      'us-west-2 BoundlessDeliveryReplica',
    ]);
    expect(regionsOf(pass.Resource).sort()).toEqual(['us-east-1', 'us-west-2']);
    const container = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as Json;
    const roleArns = container.Properties.ContainerDefinitions[0].Environment.find(
      (e: Json) => e.Name === 'COPILOT_CFN_EXECUTION_ROLE_ARNS',
    );
    expect(JSON.stringify(roleArns.Value)).toMatch(/us-east-1.*us-west-2/);
    const trust = Object.entries(roles).find(([id]) => id.startsWith('PermissionsChangeSets'))![1] as Json;
    expect(trust.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^PermissionsService/), 'Arn'] } },
      }),
    ]);
  });
});
