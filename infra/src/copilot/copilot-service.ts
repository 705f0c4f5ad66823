import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { FlowLogDestination, Peer, Port, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { IgnoreMode } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriver,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  OperatingSystemFamily,
  Secret as EcsSecret,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ListenerAction,
  ListenerCondition,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The repository root: the copilot image is built from the workspaces it runs. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COPILOT_DOCKERFILE = 'infra/docker/copilot.Dockerfile';
const PORT = 8080;
/** What the daily report task runs: the report command of the command line, for the previous UTC day. */
const DAILY_REPORT_COMMAND = ['node', 'bin/boundless.mjs', 'report', '--date', 'yesterday'];
/**
 * The image's build context leaves out what copilot-image.json lists (what staging the asset neither copies nor
 * hashes); the same file tells infra/docker/stage-copilot-image.mjs what /app holds.
 */
const IMAGE_MANIFEST = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../docker/copilot-image.json', import.meta.url)), 'utf8'),
) as { contextExcludes: string[]; entry: string[] };
const IMAGE_EXCLUDES = IMAGE_MANIFEST.contextExcludes;

/**
 * CloudFront's origin-facing managed prefix list in us-east-1 (com.amazonaws.global.cloudfront.origin-facing):
 * the load balancer accepts only CloudFront, which reaches it through a VPC origin.
 */
const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'pl-3b927c52';

export interface CopilotServiceProps {
  readonly prefix: string;
  /** `<repository>:<tag>` of a pushed image; without it the image is built from the repository at deploy. */
  readonly image?: string;
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ISecret>;
  readonly taskRole: IRole;
  readonly reportTaskRole: IRole;
  readonly accessLogs: IBucket;
}

/**
 * The copilot's REST API and socket.io events on ECS Fargate (one task: its pipeline holds the detectors'
 * state), behind an internal load balancer that only CloudFront's VPC origin reaches; and the task definition
 * the daily report runs with, from the same image.
 */
export class CopilotService extends Construct {
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly reportTask: FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: CopilotServiceProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.vpc = new Vpc(this, 'Vpc', {
      // Named, not looked up: synthesis needs no AWS credentials.
      availabilityZones: [`${region}a`, `${region}b`],
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: { all: { destination: FlowLogDestination.toCloudWatchLogs() } },
    });
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: `${props.prefix}-copilot`,
      containerInsightsV2: ContainerInsights.ENHANCED,
    });
    const image = props.image
      ? ContainerImage.fromRegistry(props.image)
      : ContainerImage.fromAsset(REPOSITORY_ROOT, {
          file: COPILOT_DOCKERFILE,
          platform: Platform.LINUX_ARM64,
          ignoreMode: IgnoreMode.DOCKER,
          exclude: IMAGE_EXCLUDES,
        });
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/ecs/${props.prefix}-copilot`,
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const secrets = Object.fromEntries(
      Object.entries(props.secrets).map(([name, secret]) => [name, EcsSecret.fromSecretsManager(secret)]),
    );
    const taskDefinition = (taskId: string, role: IRole, command: string[] | undefined, stream: string) => {
      const task = new FargateTaskDefinition(this, taskId, {
        cpu: 1024,
        memoryLimitMiB: 2048,
        taskRole: role,
        runtimePlatform: {
          cpuArchitecture: CpuArchitecture.ARM64,
          operatingSystemFamily: OperatingSystemFamily.LINUX,
        },
      });
      task.addContainer('copilot', {
        image,
        ...(command ? { command } : {}),
        environment: { ...props.environment, COPILOT_HOST: '0.0.0.0', COPILOT_PORT: String(PORT) },
        secrets,
        logging: new AwsLogDriver({ logGroup, streamPrefix: stream }),
        portMappings: command ? [] : [{ containerPort: PORT }],
        healthCheck: command
          ? undefined
          : {
              command: [
                'CMD-SHELL',
                `node -e "fetch('http://127.0.0.1:${PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
              ],
              interval: Duration.seconds(30),
              startPeriod: Duration.seconds(60),
            },
      });
      Validations.of(task).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'The execution role pulls the image: ecr:GetAuthorizationToken accepts only *.',
      });
      Validations.of(task).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason:
          'The environment holds names and URLs only; secrets come from Secrets Manager as container secrets.',
      });
      return task;
    };
    const serviceTask = taskDefinition('Task', props.taskRole, undefined, 'service');
    this.reportTask = taskDefinition('ReportTask', props.reportTaskRole, DAILY_REPORT_COMMAND, 'report');

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: `${props.prefix}-copilot`,
      taskDefinition: serviceTask,
      desiredCount: 1,
      // One pipeline at a time: its detectors and checkpoints are not shared between tasks.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    });
    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogs, 'alb/copilot');
    this.loadBalancer.connections.allowFrom(
      Peer.prefixList(CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST),
      Port.tcp(80),
      'CloudFront VPC origin',
    );
    const listener = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      open: false,
      defaultAction: ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'not found',
      }),
    });
    listener.addTargets('Copilot', {
      priority: 10,
      // Only the copilot's own routes reach it; the dashboard's files come from S3.
      conditions: [ListenerCondition.pathPatterns(['/api/*', '/socket.io/*', '/healthz'])],
      port: PORT,
      protocol: ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200' },
      deregistrationDelay: Duration.seconds(30),
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'Access logs are on (logAccessLogs); the rule does not see the attribute set after creation.',
    });
  }
}
