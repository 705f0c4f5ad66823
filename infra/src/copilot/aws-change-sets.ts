import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DocumentPlanner, type ManagedDocument, S3JsonDocument } from '@boundless/copilot/changes';
import {
  alarmArnsInTemplate,
  type CloudFormationApplierOptions,
  CloudFormationApplier,
} from '../cloudformation-applier.ts';
import { startPlanThread } from '../plan-thread.ts';
import type { SynthOptions } from '../synth.ts';
import { loadTunables } from '../tunables.ts';
import { validateTunables } from '../plan-thread.ts';

/** Where the copilot keeps the deployed tunables and the templates of its change sets, in the reports bucket. */
export const TUNABLES_KEY = 'change-sets/tunables.json';
const TEMPLATES_PREFIX = 'change-sets/templates/';
/** The observability stack's roll-up of every SLO's page alarms: one rollback trigger for all of them. */
const sloPageAlarmName = (prefix: string) => `${prefix}-slo-page`;

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
 * names, with the SLO page roll-up alarm as its rollback trigger. Synthesis runs on threads of their own, so
 * the copilot keeps serving while a change is planned or applied.
 */
export function awsTunablesDocument(options: AwsTunablesDocumentOptions): ManagedDocument & {
  close(): Promise<void>;
} {
  const planThread = options.planner
    ? undefined
    : startPlanThread({ synth: { ...options.synth, bundling: false } });
  const applyThread = options.templates ? undefined : startPlanThread({ synth: options.synth ?? {} });
  const planner: DocumentPlanner = options.planner ?? {
    validate: validateTunables,
    diff: (before, after) => (planThread as NonNullable<typeof planThread>).diff(before, after),
  };
  const where = { region: options.region, account: options.account, partition: options.partition ?? 'aws' };
  const applier = new CloudFormationApplier({
    synthesize:
      options.templates ??
      ((tunables) => (applyThread as NonNullable<typeof applyThread>).templates(tunables)),
    cloudFormation: options.cloudFormation,
    rollbackAlarms: (_stack, templates) =>
      alarmArnsInTemplate(
        templates.BoundlessObservability ?? {},
        where,
        (name) => name === sloPageAlarmName(options.prefix),
      ),
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
      key: TUNABLES_KEY,
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
