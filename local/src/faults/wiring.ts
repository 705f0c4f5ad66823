import type { EmbeddedDynamo } from '../dynamo/embedded-dynamo.ts';
import { emfDocument } from '../telemetry/emf.ts';
import type { LogGroupWriter } from '../telemetry/log-groups.ts';
import { kvsKeys } from '@boundless/delivery';
import { AbuseLoad } from './abuse-load.ts';
import { type LocalFault, LocalFaultInjector } from './injector.ts';

/**
 * Fault injection wired into a running local stack: the emulator asks the injector about each invocation, the
 * embedded DynamoDB hears the table's plan, and the table's CloudWatch metrics (ThrottledRequests, SystemErrors,
 * SuccessfulRequestLatency) are written each minute as EMF to `/aws/dynamodb/<table>`, as DynamoDB publishes
 * them whether or not anything is injected. A deploy fault writes the CloudTrail event a deploy would.
 */
const TRAIL_LOG_GROUP = 'aws-cloudtrail-logs-local';

export interface LocalFaults {
  injector: LocalFaultInjector;
  close(): Promise<void>;
}

export function startLocalFaults(options: {
  dynamo: EmbeddedDynamo;
  logs: LogGroupWriter;
  tableName: string;
  functions: () => string[];
  defaultFunction: string;
  clock?: () => number;
  /** @default 60000 */
  metricsEveryMs?: number;
  /** The distribution the edge faults hit; its URL is known once the edge listens. */
  edge?: { distributionId: string; functionName: string; url: () => string | undefined };
}): LocalFaults {
  const clock = options.clock ?? Date.now;
  const injector = new LocalFaultInjector(
    {
      functions: options.functions,
      table: options.tableName,
      defaultFunction: options.defaultFunction,
      ...(options.edge
        ? { edge: { distributionId: options.edge.distributionId, functionName: options.edge.functionName } }
        : {}),
    },
    clock,
  );
  const abuse = options.edge
    ? new AbuseLoad(options.edge.url, injector, clock, (error) =>
        process.stderr.write(
          `local: abuse load request failed: ${error instanceof Error ? error.message : String(error)}\n`,
        ),
      )
    : undefined;
  abuse?.start();
  injector.onTablePlan((plan) => options.dynamo.setFault(plan));
  recordFaultChanges(injector, options.logs, clock);
  const group = `/aws/dynamodb/${options.tableName}`;
  const writeMetrics = async () => {
    const stats = await options.dynamo.takeStats();
    if (stats.requests === 0) return;
    const at = clock();
    const document = emfDocument(
      'AWS/DynamoDB',
      [['TableName']],
      at,
      [
        { name: 'ThrottledRequests', unit: 'Count', value: stats.throttled },
        { name: 'SystemErrors', unit: 'Count', value: stats.errors },
        {
          name: 'SuccessfulRequestLatency',
          unit: 'Milliseconds',
          value: Math.round(stats.latencyMs / stats.requests),
        },
      ],
      { TableName: options.tableName },
    );
    options.logs.append(group, 'metrics', JSON.stringify(document), at);
  };
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    pending = writeMetrics().catch((error: unknown) => {
      process.stderr.write(
        `local: table metrics not written: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }, options.metricsEveryMs ?? 60_000);
  timer.unref();
  return {
    injector,
    close: async () => {
      clearInterval(timer);
      injector.close();
      await abuse?.close();
      await pending;
    },
  };
}

/**
 * The change a fault of some kinds comes with, written when it starts, as CloudTrail records it: a deploy's
 * UpdateFunctionCode, a key rotation's KeyValueStore PutKey.
 */
export function recordFaultChanges(
  injector: LocalFaultInjector,
  logs: LogGroupWriter,
  clock: () => number,
): void {
  injector.onFaultStart((fault) => {
    if (fault.kind === 'bad_deploy') writeDeployEvent(logs, fault, clock());
    if (fault.kind === 'signing_key_mismatch') writeKeyRotationEvent(logs, fault, clock());
  });
}

/** The key store change a rotation makes (CloudFront KeyValueStore's PutKey), as CloudTrail records it. */
function writeKeyRotationEvent(logs: LogGroupWriter, fault: LocalFault, at: number): void {
  trail(logs, at, 'cloudfront-keyvaluestore.amazonaws.com', 'PutKey', {
    kvsARN: `arn:aws:cloudfront::000000000000:key-value-store/${fault.target}-keys`,
    key: kvsKeys.signingSecret(`rotated-${fault.id.slice(-6)}`),
  });
}

function trail(
  logs: LogGroupWriter,
  at: number,
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, unknown>,
): void {
  logs.append(
    TRAIL_LOG_GROUP,
    '000000000000_CloudTrail_us-east-1',
    JSON.stringify({
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::000000000000:assumed-role/deployer/local' },
      eventTime: new Date(at).toISOString(),
      eventSource,
      eventName,
      awsRegion: 'us-east-1',
      requestParameters,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
    }),
    at,
  );
}

function writeDeployEvent(logs: LogGroupWriter, fault: LocalFault, at: number): void {
  trail(logs, at, 'lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
    functionName: fault.target,
    publish: true,
  });
}
