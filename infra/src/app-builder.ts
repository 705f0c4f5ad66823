import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS, type DeploymentContextInput, PRIMARY_REGION, resolveContext } from './context.ts';
import { DeliveryReplicaStack, replicaBucketName } from './delivery/replica-stack.ts';
import { DeliveryStack } from './delivery/delivery-stack.ts';
import { CopilotStack } from './copilot/copilot-stack.ts';
import { ObservabilityStack } from './observability/observability-stack.ts';
import type { Tunables } from './tunables.ts';

/** The stacks of one deployment, in deployment order. */
export interface BoundlessStacks {
  readonly replica: DeliveryReplicaStack;
  readonly delivery: DeliveryStack;
  readonly observability: ObservabilityStack;
  readonly copilot: CopilotStack;
}

export interface DefineStacksOptions {
  readonly tunables: Tunables;
  /** Values over the app's own context (`cdk.json`, `-c`). */
  readonly context?: DeploymentContextInput;
  /** Runs cdk-nag's AwsSolutions checks (errors fail synthesis). @default true */
  readonly nag?: boolean;
}

/** Stack names, stable across deployments: change sets and the README refer to them. */
export const STACK_NAMES = {
  replica: 'BoundlessDeliveryReplica',
  delivery: 'BoundlessDelivery',
  observability: 'BoundlessObservability',
  copilot: 'BoundlessCopilot',
} as const;

/** Adds every stack of a deployment to `app`, reading the deployment context from the app and `options`. */
export function defineStacks(app: App, options: DefineStacksOptions): BoundlessStacks {
  const fromApp = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)]));
  const context = resolveContext({ ...fromApp, ...options.context });
  const env = (region: string) => ({ account: context.account, region });
  const bucketName = replicaBucketName(context.prefix, context.account, context.replicaRegion);
  const replica = new DeliveryReplicaStack(app, STACK_NAMES.replica, {
    env: env(context.replicaRegion),
    description: 'Boundless: DR copy of the content bucket',
    bucketName,
  });
  const delivery = new DeliveryStack(app, STACK_NAMES.delivery, {
    env: env(PRIMARY_REGION),
    description: 'Boundless: delivery core (CloudFront, WAF, access API, global table)',
    context,
    tunables: options.tunables,
    replicaBucketName: bucketName,
  });
  delivery.addStackDependency(replica, 'content replicates into the replica bucket');
  const observability = new ObservabilityStack(app, STACK_NAMES.observability, {
    env: env(PRIMARY_REGION),
    description: 'Boundless: scale-out detectors, SLO alarms, dashboard, cost guards',
    context,
    tunables: options.tunables,
    delivery,
  });
  const copilot = new CopilotStack(app, STACK_NAMES.copilot, {
    env: env(PRIMARY_REGION),
    description: 'Boundless: operations copilot (ECS Fargate), dashboard, daily report',
    context,
    delivery,
    observability,
    tunables: options.tunables,
    changeSetStacks: [
      { name: STACK_NAMES.replica, region: context.replicaRegion },
      { name: STACK_NAMES.delivery, region: PRIMARY_REGION },
      { name: STACK_NAMES.observability, region: PRIMARY_REGION },
    ],
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { replica, delivery, observability, copilot };
}
