import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IStream, Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { LogGroup, ResourcePolicy, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLING, bundledFunction } from '../constructs/bundled-function.ts';
import { DETECTION_DETAIL_TYPE, DETECTION_EVENT_SOURCE } from '../scale-out/detection-sink.ts';
import type { Tunables } from '../tunables.ts';

const entry = (name: string) => fileURLToPath(new URL(`../scale-out/${name}`, import.meta.url));

/**
 * The geolocation tables ship inside npm packages read from disk at run time, so they are copied next to the
 * bundle instead of bundled (only the files the lookups read).
 */
const GEO_BUNDLING = {
  ...BUNDLING,
  externalModules: ['geoip-country', '@ip-location-db/asn', 'countries-list'],
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `mkdir -p "${outputDir}/node_modules/@ip-location-db/asn"`,
      `cp -R "${inputDir}/node_modules/geoip-country" "${outputDir}/node_modules/"`,
      `cp -R "${inputDir}/node_modules/countries-list" "${outputDir}/node_modules/"`,
      `cp "${inputDir}/node_modules/@ip-location-db/asn/package.json" "${inputDir}/node_modules/@ip-location-db/asn/asn-ipv4-num.csv" "${inputDir}/node_modules/@ip-location-db/asn/asn-ipv6-num.csv" "${outputDir}/node_modules/@ip-location-db/asn/"`,
    ],
  },
};

export interface ScaleOutPipelineProps {
  readonly prefix: string;
  readonly scaleOut: Tunables['scaleOut'];
  /** The stream CloudFront writes real-time logs to (delivery stack). */
  readonly realtimeLogs: IStream;
}

/**
 * DESIGN §6 in AWS (SCALE-OUT.md): the router reads CloudFront's real-time logs and writes compressed packs
 * keyed by account, address and a global bucket; the consumer runs the copilot's detectors per bucket, keeps
 * its state in DynamoDB and puts detections on an EventBridge bus (archived, and logged for audit).
 */
export class ScaleOutPipeline extends Construct {
  readonly subjectStream: Stream;
  readonly globalStream: Stream;
  readonly table: TableV2;
  readonly bus: EventBus;
  /** The copilot's copy of every detection (an EventBridge rule's SQS target), drained by its pipeline. */
  readonly copilotQueue: Queue;
  /** Detections the copilot failed to handle five times: each waits here for a person. */
  readonly copilotDeadLetters: Queue;
  readonly router: NodejsFunction;
  readonly consumer: NodejsFunction;

  constructor(scope: Construct, id: string, props: ScaleOutPipelineProps) {
    super(scope, id);
    const { scaleOut, prefix } = props;
    const stream = (streamId: string, name: string, shardCount: number) =>
      new Stream(this, streamId, {
        streamName: `${prefix}-${name}`,
        streamMode: StreamMode.PROVISIONED,
        shardCount,
        encryption: StreamEncryption.MANAGED,
        retentionPeriod: Duration.hours(24),
      });
    this.subjectStream = stream('SubjectStream', 'detector-subjects', scaleOut.subjectShards);
    // Geo spikes weigh one country against everyone: one bucket, one shard (its ceiling is in SCALE-OUT.md).
    this.globalStream = stream('GlobalStream', 'detector-global', 1);
    this.table = new TableV2(this, 'State', {
      tableName: `${prefix}-detector-state`,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      // Checkpoints and the replay log: losing them costs a cold start, not data.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.bus = new EventBus(this, 'Detections', { eventBusName: `${prefix}-detections` });
    new Archive(this, 'DetectionArchive', {
      sourceEventBus: this.bus,
      archiveName: `${prefix}-detections`,
      description: 'Every abuse detection of the scale-out consumer, replayable',
      eventPattern: { source: [DETECTION_EVENT_SOURCE] },
      retention: Duration.days(90),
    });
    const audit = new LogGroup(this, 'DetectionLog', {
      logGroupName: `/aws/events/${prefix}-detections`,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The log group's own resource policy lets EventBridge write (the library's log-group target would add a
    // custom-resource Lambda to set the same policy).
    new ResourcePolicy(this, 'DetectionLogPolicy', {
      resourcePolicyName: `${prefix}-detections-from-eventbridge`,
      policyStatements: [
        new PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          principals: [
            new ServicePrincipal('events.amazonaws.com'),
            new ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          resources: [audit.logGroupArn],
        }),
      ],
    });
    new Rule(this, 'LogDetections', {
      eventBus: this.bus,
      description: 'Keeps every detection searchable in CloudWatch Logs',
      eventPattern: { source: [DETECTION_EVENT_SOURCE], detailType: [DETECTION_DETAIL_TYPE] },
      targets: [{ bind: () => ({ id: 'DetectionLog', arn: audit.logGroupArn }) }],
    });

    // The copilot decides on these detections as on its own (COPILOT_DETECTION_QUEUE_URL). A message it cannot
    // handle comes back until the fifth receive, then waits in the dead-letter queue for a person.
    const deadLetters = new Queue(this, 'CopilotDetectionsDeadLetters', {
      queueName: `${prefix}-copilot-detections-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.copilotDeadLetters = deadLetters;
    this.copilotQueue = new Queue(this, 'CopilotDetections', {
      queueName: `${prefix}-copilot-detections`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Mitigations act on minutes-old behaviour: a detection older than a day is history, not a lead.
      retentionPeriod: Duration.days(1),
      visibilityTimeout: Duration.minutes(2),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    new Rule(this, 'DetectionsToCopilot', {
      eventBus: this.bus,
      description: "Hands every detection to the copilot's mitigation pipeline",
      eventPattern: { source: [DETECTION_EVENT_SOURCE], detailType: [DETECTION_DETAIL_TYPE] },
      targets: [new SqsQueue(this.copilotQueue, { deadLetterQueue: deadLetters })],
    });

    this.router = bundledFunction(this, 'Router', {
      functionName: `${prefix}-detector-router`,
      description: 'Routes CloudFront real-time log records to the detector families (SCALE-OUT.md)',
      entry: entry('router-entry.ts'),
      memoryMb: 1024,
      timeout: Duration.minutes(1),
      environment: {
        BOUNDLESS_SUBJECT_STREAM: this.subjectStream.streamName,
        BOUNDLESS_GLOBAL_STREAM: this.globalStream.streamName,
        BOUNDLESS_BUCKETS: String(scaleOut.buckets),
      },
    });
    this.subjectStream.grantWrite(this.router);
    this.globalStream.grantWrite(this.router);
    this.consumer = bundledFunction(this, 'Consumer', {
      functionName: `${prefix}-detector-consumer`,
      description: "Runs the copilot's abuse detectors per bucket (SCALE-OUT.md)",
      entry: entry('consumer-entry.ts'),
      memoryMb: scaleOut.consumerMemoryMb,
      timeout: Duration.minutes(5),
      environment: {
        BOUNDLESS_SCALE_OUT_TABLE: this.table.tableName,
        BOUNDLESS_EVENT_BUS: this.bus.eventBusName,
        BOUNDLESS_REPLAY_HORIZON_MINUTES: String(scaleOut.replayHorizonMinutes),
      },
      bundling: GEO_BUNDLING,
    });
    this.table.grantReadWriteData(this.consumer);
    this.bus.grantPutEventsTo(this.consumer);

    // One invocation per shard at a time, in order; a failed batch is retried whole (never bisected), which
    // the consumers' pack positions rely on.
    const source = (stream: IStream) =>
      new KinesisEventSource(stream, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: scaleOut.batchSize,
        maxBatchingWindow: Duration.seconds(scaleOut.batchingWindowSeconds),
        parallelizationFactor: 1,
        bisectBatchOnError: false,
        retryAttempts: -1,
      });
    this.router.addEventSource(source(props.realtimeLogs));
    this.consumer.addEventSource(source(this.subjectStream));
    this.consumer.addEventSource(source(this.globalStream));
  }
}
