import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import type { ChangeSet, DocumentApplier } from '@boundless/copilot/changes';
import { InfraError } from './errors.ts';
import type { CloudFormationTemplate, StackTemplates } from './synth.ts';

/** CloudFormation takes a template inline up to this many bytes; larger ones must come from S3. */
export const TEMPLATE_BODY_LIMIT = 51_200;
/** CloudFormation accepts at most this many rollback triggers per change set. */
export const ROLLBACK_TRIGGER_LIMIT = 5;

/** Applying a change set through CloudFormation failed; `stackName`, `changeSetName` and `cause` say where. */
export class CloudFormationApplyError extends InfraError {
  constructor(
    message: string,
    readonly stackName: string,
    readonly changeSetName: string,
    options?: ErrorOptions,
  ) {
    super(`${stackName} (change set ${changeSetName}): ${message}`, options);
    this.name = 'CloudFormationApplyError';
  }
}

/** CloudFormation rolled the stack back: a rollback trigger alarmed or a resource failed to update. */
export class CloudFormationRolledBackError extends CloudFormationApplyError {
  constructor(
    stack: string,
    changeSetName: string,
    readonly stackStatus: string,
    readonly reason: string | undefined,
  ) {
    super(
      `CloudFormation rolled the update back (${stackStatus}${reason ? `: ${reason}` : ''})`,
      stack,
      changeSetName,
    );
    this.name = 'CloudFormationRolledBackError';
  }
}

export interface CloudFormationApplierOptions {
  /**
   * The templates of every stack for a tunables document, by stack name in deployment order. In production this
   * must be a synthesis with bundled Lambda assets already published (what `cdk synth` + `cdk-assets publish` of
   * the CLI's build produce), since a change set cannot refer to the placeholder assets of the in-process,
   * unbundled `synthTemplates`; tests pass the in-process one.
   */
  synthesize(tunables: unknown): StackTemplates | Promise<StackTemplates>;
  /** The client for a stack (the replica stack lives in another region). */
  cloudFormation: (stack: string) => CloudFormationClient;
  /**
   * The ARNs of the CloudWatch alarms the change to `stack` could hurt, sent as rollback triggers (at most 5).
   * `alarmArnsInTemplate` finds named alarms in a synthesized template; a roll-up composite alarm keeps a set of
   * many SLO alarms under the limit.
   */
  rollbackAlarms(stack: string, templates: StackTemplates): string[] | Promise<string[]>;
  /** Puts a template too large to inline where CloudFormation can read it, returning its S3 URL. */
  uploadTemplate?(stack: string, body: string): Promise<string>;
  /** How long CloudFormation watches the triggers after the update. @default 10 */
  monitoringTimeInMinutes?: number;
  /** Between two polls of a change set or a stack. @default 5000 */
  pollIntervalMs?: number;
  /** Gives up waiting after this long (per wait). @default 45 min */
  timeoutMs?: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Execution role CloudFormation assumes for the update (needs iam:PassRole); per stack where stacks live in
   * several regions (each region's CDK bootstrap has its own).
   */
  roleArn?: string | ((stack: string) => string | undefined);
}

/** What the applier did for one stack. */
export interface StackApplication {
  stack: string;
  changeSetName: string;
  changeSetId?: string;
  /** `executed`, or `no_changes` when CloudFormation found nothing to do. */
  outcome: 'executed' | 'no_changes';
  changeSetStatus: string;
  stackStatus?: string;
  rollbackTriggers: string[];
  templateVia: 'body' | 'url';
}

/**
 * Applies a tunables version in AWS: synthesizes every stack, and for each stack the approved plan changes
 * (the stacks its diff names) creates a CloudFormation change set with rollback triggers on the alarms the
 * change could hurt, waits for it, executes it and waits for the stack to settle. A stack CloudFormation rolled
 * back ends the apply with `CloudFormationRolledBackError`; the stacks before it stay updated.
 */
export class CloudFormationApplier implements DocumentApplier {
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: CloudFormationApplierOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 45 * 60_000;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async apply(
    after: unknown,
    changeSet: ChangeSet,
    phase: 'apply' | 'rollback',
  ): Promise<Record<string, unknown>> {
    const templates = await this.options.synthesize(after);
    const named = new Set(changeSet.plan.diff.resources.map((r) => r.stack));
    const stacks = Object.keys(templates).filter((stack) => named.has(stack));
    const applied: StackApplication[] = [];
    for (const stack of stacks) {
      applied.push(
        await this.applyStack(stack, templates[stack] as CloudFormationTemplate, templates, changeSet, phase),
      );
    }
    return { via: 'cloudformation', phase, stacks: applied };
  }

  private async applyStack(
    stack: string,
    template: CloudFormationTemplate,
    templates: StackTemplates,
    changeSet: ChangeSet,
    phase: 'apply' | 'rollback',
  ): Promise<StackApplication> {
    const name = changeSetName(changeSet.id, phase);
    const fail = (message: string, cause?: unknown) =>
      new CloudFormationApplyError(message, stack, name, cause === undefined ? undefined : { cause });
    const client = this.options.cloudFormation(stack);
    const roleArn =
      typeof this.options.roleArn === 'function' ? this.options.roleArn(stack) : this.options.roleArn;
    const triggers = await this.options.rollbackAlarms(stack, templates);
    if (triggers.length > ROLLBACK_TRIGGER_LIMIT) {
      throw fail(
        `${triggers.length} rollback alarms, CloudFormation takes at most ${ROLLBACK_TRIGGER_LIMIT}: use a roll-up composite alarm`,
      );
    }
    const body = JSON.stringify(template);
    const inline = Buffer.byteLength(body) <= TEMPLATE_BODY_LIMIT;
    if (!inline && !this.options.uploadTemplate) {
      throw fail(
        `template is ${Buffer.byteLength(body)} bytes, over ${TEMPLATE_BODY_LIMIT}, and no uploader`,
      );
    }
    const templateSource = inline
      ? { TemplateBody: body }
      : { TemplateURL: await this.options.uploadTemplate?.(stack, body) };
    let changeSetId: string | undefined;
    try {
      const created = await client.send(
        new CreateChangeSetCommand({
          StackName: stack,
          ChangeSetName: name,
          ChangeSetType: 'UPDATE',
          ...templateSource,
          Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
          ...(roleArn ? { RoleARN: roleArn } : {}),
          RollbackConfiguration: {
            RollbackTriggers: triggers.map((Arn) => ({ Arn, Type: 'AWS::CloudWatch::Alarm' })),
            MonitoringTimeInMinutes: this.options.monitoringTimeInMinutes ?? 10,
          },
          Description: `Boundless change set ${changeSet.id} (${phase}): ${changeSet.title}`.slice(0, 1024),
        }),
      );
      changeSetId = created.Id;
    } catch (cause) {
      throw fail('CreateChangeSet failed', cause);
    }
    const record = {
      stack,
      changeSetName: name,
      ...(changeSetId ? { changeSetId } : {}),
      rollbackTriggers: triggers,
      templateVia: inline ? ('body' as const) : ('url' as const),
    };

    const created = await this.poll(fail, 'the change set to be created', async () => {
      const out = await client.send(
        new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: changeSetId ?? name }),
      );
      const status = out.Status ?? 'UNKNOWN';
      return status.endsWith('_PENDING') || status.endsWith('_IN_PROGRESS')
        ? undefined
        : { status, reason: out.StatusReason };
    });
    if (created.status === 'FAILED' && isNoChanges(created.reason)) {
      return { ...record, outcome: 'no_changes', changeSetStatus: created.status };
    }
    if (created.status !== 'CREATE_COMPLETE') {
      throw fail(`change set ended ${created.status}${created.reason ? `: ${created.reason}` : ''}`);
    }

    try {
      await client.send(
        new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: changeSetId ?? name }),
      );
    } catch (cause) {
      throw fail('ExecuteChangeSet failed', cause);
    }
    const settled = await this.poll(fail, 'the stack to finish updating', async () => {
      const out = await client.send(new DescribeStacksCommand({ StackName: stack }));
      const found = out.Stacks?.[0];
      const status = found?.StackStatus ?? 'UNKNOWN';
      return status.endsWith('_IN_PROGRESS') ? undefined : { status, reason: found?.StackStatusReason };
    });
    if (settled.status.startsWith('UPDATE_ROLLBACK') || settled.status.startsWith('ROLLBACK')) {
      throw new CloudFormationRolledBackError(stack, name, settled.status, settled.reason);
    }
    if (settled.status !== 'UPDATE_COMPLETE') {
      throw fail(`stack ended ${settled.status}${settled.reason ? `: ${settled.reason}` : ''}`);
    }
    return {
      ...record,
      outcome: 'executed',
      changeSetStatus: created.status,
      stackStatus: settled.status,
    };
  }

  /** Polls `check` until it answers, at most `timeoutMs` of the injected clock. */
  private async poll<T>(
    fail: (message: string, cause?: unknown) => CloudFormationApplyError,
    what: string,
    check: () => Promise<T | undefined>,
  ): Promise<T> {
    const deadline = this.clock() + this.timeoutMs;
    for (;;) {
      let answer: T | undefined;
      try {
        answer = await check();
      } catch (cause) {
        throw fail(`polling for ${what} failed`, cause);
      }
      if (answer !== undefined) return answer;
      if (this.clock() >= deadline) throw fail(`timed out after ${this.timeoutMs} ms waiting for ${what}`);
      await this.sleep(this.pollIntervalMs);
    }
  }
}

/**
 * A change set name is the change set id and the phase, so CloudFormation's console and events name the Boundless
 * change set; a second attempt with the same name is refused by CloudFormation (AlreadyExists) rather than doubled.
 */
export function changeSetName(changeSetId: string, phase: 'apply' | 'rollback'): string {
  // CloudFormation: [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters.
  const safe = changeSetId.replace(/[^a-zA-Z0-9-]/g, '-');
  return `boundless-${safe}-${phase}`.slice(0, 128);
}

/** CloudFormation fails a change set that changes nothing with one of these reasons. */
function isNoChanges(reason: string | undefined): boolean {
  return /didn't contain changes|No updates are to be performed/i.test(reason ?? '');
}

/**
 * The ARNs of the CloudWatch alarms (metric or composite) in a synthesized template whose literal names `select`
 * keeps, in `region` and `account`: e.g. the SLO alarms of the observability stack by their name prefix.
 */
export function alarmArnsInTemplate(
  template: CloudFormationTemplate,
  where: { region: string; account: string; partition?: string },
  select: (alarmName: string) => boolean,
): string[] {
  const arns: string[] = [];
  for (const resource of Object.values(template.Resources ?? {})) {
    const { Type, Properties } = resource as { Type?: string; Properties?: Record<string, unknown> };
    if (Type !== 'AWS::CloudWatch::Alarm' && Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
    const alarmName = Properties?.AlarmName;
    if (typeof alarmName !== 'string' || !select(alarmName)) continue;
    arns.push(
      `arn:${where.partition ?? 'aws'}:cloudwatch:${where.region}:${where.account}:alarm:${alarmName}`,
    );
  }
  return arns.sort();
}
