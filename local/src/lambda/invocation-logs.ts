import {
  coldStartLine,
  functionSegment,
  type InvocationFacts,
  invocationMetrics,
  invokeErrorLine,
  LAMBDA_INSIGHTS_LOG_GROUP,
  lambdaInsightsRecord,
  reportRecord,
} from './lambda-records.ts';
import type { LambdaEmulatorOptions } from './lambda-emulator-options.ts';

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** How an invocation that did not return a result ended. */
export interface InvocationFailure {
  error: unknown;
  /** Killed by an injected fault at its memory limit. */
  killed: boolean;
  timedOut: boolean;
  startMs: number;
  at: number;
}

/**
 * What Lambda writes about each invocation where CloudWatch, Lambda Insights and X-Ray keep it: platform records
 * and EMF in the function's log group, the Insights performance event in its own group, one segment per trace.
 * The options object is read as each record is written, as the emulator did before it was split out.
 */
export class InvocationLogs {
  constructor(
    private readonly options: Pick<LambdaEmulatorOptions, 'logs' | 'segments' | 'lambdaInsights'>,
    private readonly clock: () => number,
  ) {}

  write(functionName: string, stream: string, record: object, at = this.clock()): void {
    this.options.logs?.append(logGroupOf(functionName), stream, JSON.stringify(record), at);
  }

  /** A record built (and serialised) when the log batch is written, after the invocation has answered. */
  private later(group: string, stream: string, record: () => object, at: number): void {
    this.options.logs?.append(group, stream, () => JSON.stringify(record()), at);
  }

  /** A line as the handler or the runtime printed it (not JSON). */
  line(functionName: string, stream: string, text: string, at: number): void {
    this.options.logs?.append(logGroupOf(functionName), stream, text, at);
  }

  /** What Lambda prints when a handler does not return: the runtime's exit, the timeout, or the error. */
  failed(functionName: string, stream: string, requestId: string, failure: InvocationFailure): void {
    const { at, startMs } = failure;
    if (failure.killed)
      this.line(
        functionName,
        stream,
        `RequestId: ${requestId} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`,
        at,
      );
    else if (failure.timedOut)
      this.line(
        functionName,
        stream,
        `${new Date(at).toISOString()} ${requestId} Task timed out after ${((at - startMs) / 1000).toFixed(2)} seconds`,
        at,
      );
    else {
      const thrown = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
      this.write(
        functionName,
        stream,
        invokeErrorLine(requestId, at, { name: thrown.name, message: thrown.message }),
        at,
      );
    }
  }

  /**
   * The invocation's records in `stream`, its environment's log stream. Only their place in the log is taken
   * now: they are built when the batch is written (the facts do not change), and the segment when its datagram
   * is sent, so the caller's response does not wait for them.
   */
  report(facts: InvocationFacts, stream: string, traceId: string, parent?: string) {
    const group = logGroupOf(facts.functionName);
    if (facts.coldStart)
      this.later(group, stream, () => coldStartLine(facts), facts.initStartMs ?? facts.endMs);
    this.later(group, stream, () => reportRecord(facts), facts.endMs);
    this.later(group, stream, () => invocationMetrics(facts), facts.endMs);
    if (this.options.lambdaInsights)
      this.later(LAMBDA_INSIGHTS_LOG_GROUP, stream, () => lambdaInsightsRecord(facts, traceId), facts.endMs);
    this.options.segments?.emit(() => functionSegment(facts, traceId, parent));
  }
}
