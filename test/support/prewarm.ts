import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  type DemandMinute,
  LambdaProvisionedConcurrency,
  LivePrewarmer,
  type PrewarmDecisionLog,
} from '@boundless/copilot/prewarm';
import { LambdaStandIn, LOCAL_AWS } from '@boundless/copilot/testing';
import { MINUTE_MS } from '@boundless/common/time';

/**
 * The deployed copilot's pre-warming loop in a test: the real Lambda client against the Lambda stand-in (which
 * allocates, or fails to, as Lambda does), demand of a steady service with a little noise, within approved
 * bounds, recording into the copilot's decision log. Ticks are driven by the test at the event time it picks.
 */
export async function prewarmLoopFor(
  functionName: string,
  decisions: PrewarmDecisionLog,
  bounds: { minCapacity: number; maxCapacity: number },
) {
  const lambda = new LambdaStandIn([functionName], 50);
  const client = new LambdaClient({ ...LOCAL_AWS, endpoint: await lambda.start() });
  const demand = (fromMs: number, toMs: number): DemandMinute[] => {
    const minutes: DemandMinute[] = [];
    for (let time = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS; time < toMs; time += MINUTE_MS) {
      const requests = 900 + ((time / MINUTE_MS) % 7) * 20;
      minutes.push({ time, timestamp: new Date(time).toISOString(), requests, peakRps: requests / 40 });
    }
    return minutes;
  };
  const loop = new LivePrewarmer(
    { functions: [functionName], ...bounds },
    {
      demand: { demand: (_fn, fromMs, toMs) => ({ minutes: demand(fromMs, toMs), meanDurationMs: 800 }) },
      target: new LambdaProvisionedConcurrency({ client, qualifier: 'live' }),
      audit: async () => {},
      decisions,
    },
  );
  decisions.attach(loop.settings);
  return {
    loop,
    /** Lambda gives up allocating the function's config, with `reason`, as it does in the background. */
    failAllocation(reason: string) {
      const config = lambda.configs.get(`${functionName}:live`);
      if (!config) throw new Error(`no provisioned-concurrency config on ${functionName} to fail`);
      config.status = 'FAILED';
      config.statusReason = reason;
    },
    close: async () => {
      client.destroy();
      await lambda.stop();
    },
  };
}
