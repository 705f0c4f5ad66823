import type { InvocationFaultPlan } from './invocation-faults.ts';
import type { LogGroupWriter } from '../telemetry/log-groups.ts';
import type { SegmentEmitter } from '../telemetry/xray-receiver.ts';

// Its own module so the emulator's parts (environments, invocations, telemetry) read the same settings without
// importing the emulator that composes them.
export interface LambdaEmulatorOptions {
  /** Time a new execution environment spends in INIT before its first request. @default 250 */
  coldStartMs?: number;
  /** How long an idle on-demand environment is kept for reuse. @default 600000 (10 min) */
  keepAliveMs?: number;
  /** Environments of one function executing at once; more requests are throttled. @default 100 */
  concurrencyLimit?: number;
  /** @default 10000 */
  timeoutMs?: number;
  region?: string;
  accountId?: string;
  logs?: LogGroupWriter;
  segments?: SegmentEmitter;
  clock?: () => number;
  /** How INIT time passes; tests inject one that resolves on their signal. */
  wait?: (ms: number) => Promise<void>;
  /** Injected faults (local/src/faults): what to do to one invocation, decided as it arrives. */
  faults?: (functionName: string, atMs: number) => InvocationFaultPlan | undefined;
  /** Write each invocation's Lambda Insights performance event (CPU, memory) too, as the extension does. */
  lambdaInsights?: boolean;
}
