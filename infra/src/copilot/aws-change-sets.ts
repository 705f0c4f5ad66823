import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ChangeSetError,
  DEPLOYED_TUNABLES_KEY,
  type DocumentPlanner,
  type ManagedDocument,
  S3JsonDocument,
} from '@boundless/copilot/changes';
import {
  alarmArnsInTemplate,
  type CloudFormationApplierOptions,
  CloudFormationApplier,
} from '../cloudformation-applier.ts';
import { startPlanThread } from '../plan-thread.ts';
import { STACK_NAMES } from '../app-builder.ts';
import type { StackTemplates, SynthOptions } from '../synth.ts';
import { loadTunables } from '../tunables.ts';
import { validateTunables } from '../plan-thread.ts';

const TEMPLATES_PREFIX = 'change-sets/templates/';

/**
 * The alarms a change to each stack could set off, as rollback triggers (CloudFormation takes at most five, in
 * the stack's own region): the delivery core's SLOs (every SLO of slos.json measures it; their page-level roll-up
 * keeps eleven SLOs under the limit) and its functions' canary roll-up; the observability stack's own detector
 * lag alarms (a scale-out change cannot burn a delivery SLO, but it can leave the detectors behind). A stack in
 * another region (the replica) has no alarm there and goes without triggers; any other stack takes the SLO roll-up.
 */
export function rollbackAlarmsFor(
  stack: string,
  templates: StackTemplates,
  where: { prefix: string; account: string; partition: string; primaryRegion: string; region: string },
): string[] {
  const { prefix } = where;
  const named = (template: string, names: readonly string[]) =>
    alarmArnsInTemplate(templates[template] ?? {}, where, (name) => names.includes(name));
  if (where.region !== where.primaryRegion) return [];
  if (stack === STACK_NAMES.delivery)
    return [
      ...named(STACK_NAMES.observability, [`${prefix}-slo-page`]),
      ...named(STACK_NAMES.delivery, [`${prefix}-delivery-canary`]),
    ];
  if (stack === STACK_NAMES.observability)
    return named(STACK_NAMES.observability, [`${prefix}-router-lag`, `${prefix}-consumer-lag`]);
  return named(STACK_NAMES.observability, [`${prefix}-slo-page`]);
}

/**
 * The copilot never applies a change to its own stack: that would change its own role (the pre-warming grant
 * follows `lambda.prewarm`) and restart its task mid-apply, and its change-set role may not update it. Such a
 * change is refused when proposed, naming what it touches; a person deploys it (`cdk deploy BoundlessCopilot`).
 */
function refusingOwnStack(planner: DocumentPlanner): DocumentPlanner {
  return {
    validate: (content) => planner.validate(content),
    ...(planner.ownerReasons
      ? { ownerReasons: (before: unknown, after: unknown) => planner.ownerReasons!(before, after) }
      : {}),
    async diff(before, after) {
      const diff = await planner.diff(before, after);
      const own = diff.resources.filter((r) => r.stack === STACK_NAMES.copilot);
      if (own.length > 0)
        throw new ChangeSetError(
          'unsupported_action',
          `this change touches the copilot's own stack (${own.map((r) => r.logicalId).join(', ')}), which the copilot does not apply: deploy it with cdk deploy ${STACK_NAMES.copilot}`,
          { stack: STACK_NAMES.copilot, resources: own.map((r) => r.logicalId) },
        );
      return diff;
    },
  };
}

export interface AwsTunablesDocumentOptions {
  s3: S3Client;
  /** The bucket holding the tunables object and the uploaded templates (the reports bucket). */
  bucket: string;
  region: string;
  account: string;
  partition?: string;
  /** The deployment's name prefix: the SLO page alarm is `<prefix>-slo-page`. */
  prefix: string;
  /** The CloudFormation client for a stack (the replica stack lives in the replica region). */
  cloudFormation: (stack: string) => CloudFormationClient;
  /** Where a stack lives. @default `region` for every stack */
  stackRegion?: (stack: string) => string;
  /** The deployment's synthesis: its context, and bundled Lambda code for the templates it applies. */
  synth?: SynthOptions;
  /** The synthesis for apply, when not the plan thread's (tests). */
  templates?: CloudFormationApplierOptions['synthesize'];
  /** The planner for diffs. @default two offline syntheses on a plan thread */
  planner?: DocumentPlanner;
  applier?: Partial<
    Pick<
      CloudFormationApplierOptions,
      'pollIntervalMs' | 'timeoutMs' | 'clock' | 'sleep' | 'roleArn' | 'monitoringTimeInMinutes'
    >
  >;
}

/**
 * The tunables as the copilot in AWS manages them: the file lives in S3 (seeded with the repository's
 * infra/tunables.json, the version the stacks were deployed with), a change set's diff is the CloudFormation
 * diff of two syntheses, and applying it creates and executes a CloudFormation change set per stack the diff
 * names, with the alarms that guard that stack as its rollback triggers (`rollbackAlarmsFor`). Synthesis runs on threads of their own, so
 * the copilot keeps serving while a change is planned or applied.
 */
export function awsTunablesDocument(options: AwsTunablesDocumentOptions): ManagedDocument & {
  close(): Promise<void>;
} {
  const planThread = options.planner
    ? undefined
    : startPlanThread({ synth: { ...options.synth, bundling: false } });
  const applyThread = options.templates ? undefined : startPlanThread({ synth: options.synth ?? {} });
  const planner = refusingOwnStack(
    options.planner ?? {
      validate: validateTunables,
      diff: (before, after) => (planThread as NonNullable<typeof planThread>).diff(before, after),
    },
  );
  const where = { region: options.region, account: options.account, partition: options.partition ?? 'aws' };
  const applier = new CloudFormationApplier({
    synthesize:
      options.templates ??
      ((tunables) => (applyThread as NonNullable<typeof applyThread>).templates(tunables)),
    cloudFormation: options.cloudFormation,
    rollbackAlarms: (stack, templates) =>
      rollbackAlarmsFor(stack, templates, {
        ...where,
        prefix: options.prefix,
        primaryRegion: options.region,
        region: options.stackRegion?.(stack) ?? options.region,
      }),
    uploadTemplate: async (stack, body) => {
      const key = `${TEMPLATES_PREFIX}${stack}-${Date.now()}.json`;
      await options.s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
      );
      return `https://${options.bucket}.s3.${options.region}.amazonaws.com/${key}`;
    },
    ...options.applier,
  });
  return {
    name: 'tunables',
    repository: new S3JsonDocument(options.s3, {
      bucket: options.bucket,
      key: DEPLOYED_TUNABLES_KEY,
      initial: () => loadTunables(),
    }),
    planner,
    applier,
    close: async () => {
      await planThread?.close();
      await applyThread?.close();
    },
  };
}
