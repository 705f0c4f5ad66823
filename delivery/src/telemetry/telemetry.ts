import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** Where one function's log lines (Powertools JSON and EMF) go: stdout in Lambda, a log-group file locally. */
export interface LogSink {
  write(line: string): unknown;
}

export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/** One Telemetry per function, so each function writes to its own log group as it would in AWS. */
export type TelemetryFactory = (functionName: string) => Telemetry;

export interface TelemetryFactoryOptions {
  serviceName: string;
  namespace: string;
  /** Omitted: process stdout, which is what the Lambda runtime ships to CloudWatch Logs. */
  sinkFor?: (functionName: string) => LogSink;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * Powertools Logger prints through a private `console` and takes no output stream, so a subclass redirects
 * `printLog` (its protected extension point) to the sink; children inherit the sink through `createLogger`.
 */
class SinkLogger extends Logger {
  constructor(
    private readonly sink: LogSink,
    options: ConstructorOptions = {},
  ) {
    super(options);
  }

  protected override printLog(_logLevel: number, log: Parameters<Logger['printLog']>[1]): void {
    log.prepareForPrint();
    this.sink.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new SinkLogger(this.sink, options);
  }
}

/** Same reason for Metrics: flush EMF documents to the sink instead of the private console. */
class SinkMetrics extends Metrics {
  constructor(
    private readonly sink: LogSink,
    options: MetricsOptions,
  ) {
    super(options);
  }

  override publishStoredMetrics(): this {
    try {
      if (!this.isDisabled() && this.hasStoredMetrics()) {
        this.sink.write(`${JSON.stringify(this.serializeMetrics())}\n`);
      }
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

const stdoutSink: LogSink = { write: (line) => process.stdout.write(line) };

export function createTelemetryFactory(options: TelemetryFactoryOptions): TelemetryFactory {
  return (functionName) => {
    const sink = options.sinkFor?.(functionName) ?? stdoutSink;
    const logger = new SinkLogger(sink, {
      serviceName: options.serviceName,
      logLevel: options.logLevel ?? 'INFO',
      persistentKeys: { function_name: functionName },
    });
    const metrics = new SinkMetrics(sink, {
      namespace: options.namespace,
      serviceName: options.serviceName,
      functionName,
    });
    // Tracing turns itself on only inside a Lambda execution environment (real or emulated).
    const tracer = new Tracer({ serviceName: options.serviceName, captureHTTPsRequests: false });
    return { logger, metrics, tracer };
  };
}

/** Runs `work` in an X-Ray subsegment when tracing is on, and plainly otherwise. */
export async function traced<T>(tracer: Tracer, name: string, work: () => Promise<T>): Promise<T> {
  if (!tracer.isTracingEnabled()) return work();
  const parent = tracer.getSegment();
  if (!parent) return work();
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}

export { MetricUnit };
