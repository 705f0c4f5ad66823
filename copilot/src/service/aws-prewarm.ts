import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { CopilotConfig } from '../config/copilot-config.ts';
import { copilotLogger } from '../logger.ts';
import { CloudWatchLambdaDemand } from '../prewarm/cloudwatch-demand-aws.ts';
import type { PrewarmDecisionLog } from '../prewarm/decision-log.ts';
import { LambdaProvisionedConcurrency } from '../prewarm/lambda-aws.ts';
import { type LiveDecision, LivePrewarmer, type PrewarmAuditEntry } from '../prewarm/live.ts';
import { awsClientConfig } from '../sources/aws-client.ts';

const log = copilotLogger('prewarm');

export interface AwsPrewarmPorts {
  /** Lambda in the functions' region. @default a client in the copilot's region */
  lambda?: LambdaClient;
  /** CloudWatch in the functions' region (Lambda's metrics). @default a client in the copilot's region */
  cloudWatch?: CloudWatchClient;
  audit: (entry: PrewarmAuditEntry) => Promise<void>;
  /** Where the loop's decisions go for the dashboard; told the mode even when it is off. */
  decisions?: PrewarmDecisionLog;
}

/**
 * CloudWatch completes a minute of Lambda's metrics a minute or two after it ends: the deployed loop reads a
 * minute only once it ended this long before the tick's minute began, and plans one minute further ahead than
 * the local loop (lead 6) to keep the three minutes Lambda takes to allocate (PREWARM.md, "Metrics that arrive late").
 */
const CLOUDWATCH_SETTLE_MINUTES = 2;
const CLOUDWATCH_LEAD_MINUTES = 6;

/**
 * The every-minute pre-warming loop of the deployed copilot, within what a person approved (the tunables'
 * `lambda.prewarm`, handed over as COPILOT_PREWARM_*): only the approved functions, on their alias, every
 * request clamped to the approved capacities (the loop's min/max guards), each change audited. Demand is
 * Lambda's own CloudWatch metrics of that alias. Mode off is no loop; dry-run plans and audits only.
 */
export function awsPrewarmer(config: CopilotConfig, ports: AwsPrewarmPorts): LivePrewarmer | undefined {
  const { mode, functions, alias, minCapacity, maxCapacity, events } = config.aws.prewarm;
  if (mode === 'off') {
    ports.decisions?.attach(null, 'lambda.prewarm.mode is off in the approved tunables');
    return undefined;
  }
  const region = config.region;
  const loop = new LivePrewarmer(
    {
      functions,
      leadMinutes: CLOUDWATCH_LEAD_MINUTES,
      settleMinutes: CLOUDWATCH_SETTLE_MINUTES,
      minCapacity,
      // The config refuses a mode other than off without it.
      ...(maxCapacity !== undefined ? { maxCapacity } : {}),
      dryRun: mode === 'dry-run',
      events: events.map((time) => Date.parse(time)),
    },
    {
      demand: new CloudWatchLambdaDemand({
        client: ports.cloudWatch ?? new CloudWatchClient(awsClientConfig({ region })),
        qualifier: alias,
      }),
      target: new LambdaProvisionedConcurrency({
        client: ports.lambda ?? new LambdaClient(awsClientConfig({ region })),
        qualifier: alias,
      }),
      audit: ports.audit,
      onAuditError: (error) => log.error('pre-warming audit failed', { error }),
      ...(ports.decisions ? { decisions: ports.decisions } : {}),
    },
  );
  ports.decisions?.attach(loop.settings);
  return loop;
}

/** Starts the loop on the wall clock; refused changes are audited by the loop and logged here. */
export function startAwsPrewarming(loop: LivePrewarmer): void {
  loop.start(
    Date.now,
    (decisions: LiveDecision[]) => {
      for (const d of decisions) {
        if (d.allocationFailed)
          log.error('provisioned concurrency not allocated', {
            function: d.functionName,
            requested: d.previous,
            reason: d.allocationFailed,
          });
        if (d.error) log.warn('pre-warming change refused', { function: d.functionName, error: d.error });
        else if (d.applied) log.info('provisioned concurrency set', { ...d });
      }
    },
    (error) => log.error('pre-warming tick failed', { error }),
  );
}
