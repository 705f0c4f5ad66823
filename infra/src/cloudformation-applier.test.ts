import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ChangeSet } from '@boundless/copilot/changes';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  alarmArnsInTemplate,
  type CloudFormationApplierOptions,
  CloudFormationApplier,
  CloudFormationApplyError,
  CloudFormationRolledBackError,
  changeSetName,
  TEMPLATE_BODY_LIMIT,
} from './cloudformation-applier.ts';
import { CloudFormationStandIn, type StandInStack } from './cloudformation-stand-in.ts';
import { type StackTemplates, synthTemplates } from './synth.ts';
import { loadTunables } from './tunables.ts';

/** The SLOs a delivery change could hurt most visibly, by their fast-burn (page) composite alarms. */
const GUARDED = ['access-api-availability', 'access-api-latency', 'edge-titles-availability'];
const WHERE = { region: 'us-east-1', account: '123456789012' };

let templates: StackTemplates;
beforeAll(() => {
  templates = synthTemplates(loadTunables());
}, 60_000);

/** A change set whose approved diff touches these stacks (what the planner's diff names). */
function changeSetTouching(...stacks: string[]): ChangeSet {
  return {
    id: 'cs-2026-12-05-0007',
    title: 'Longer edge TTL for covers',
    plan: {
      diff: { resources: stacks.map((stack) => ({ stack, logicalId: 'X', type: 'T', action: 'update' })) },
    },
  } as unknown as ChangeSet;
}

let standIn: CloudFormationStandIn | undefined;
afterEach(async () => {
  await standIn?.stop();
  standIn = undefined;
});

async function applierOver(
  stacks: Record<string, StandInStack>,
  extra: Partial<CloudFormationApplierOptions> = {},
) {
  standIn = new CloudFormationStandIn(stacks);
  const endpoint = await standIn.start();
  const client = new CloudFormationClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  let now = 0;
  const uploads: string[] = [];
  const applier = new CloudFormationApplier({
    synthesize: () => templates,
    cloudFormation: () => client,
    rollbackAlarms: (_stack, all) =>
      alarmArnsInTemplate(all.BoundlessObservability ?? {}, WHERE, (name) =>
        GUARDED.some((slo) => name === `boundless-slo-${slo}-fast-burn`),
      ),
    uploadTemplate: async (stack, body) => {
      uploads.push(stack);
      expect(JSON.parse(body)).toEqual(templates[stack]);
      return `https://boundless-templates.s3.amazonaws.com/${stack}.json`;
    },
    monitoringTimeInMinutes: 15,
    pollIntervalMs: 5000,
    timeoutMs: 60_000,
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    ...extra,
  });
  return { applier, standIn, uploads };
}

const of = (action: string) => (standIn?.requests ?? []).filter((r) => r.action === action);

describe('CloudFormationApplier against a CloudFormation Query endpoint', () => {
  it('creates, waits for, executes a change set per changed stack, with rollback triggers on the SLO alarms', async () => {
    const { applier, uploads } = await applierOver({
      BoundlessDeliveryReplica: {},
      BoundlessDelivery: { pendingPolls: 2 },
    });
    const record = await applier.apply(
      {},
      changeSetTouching('BoundlessDeliveryReplica', 'BoundlessDelivery'),
      'apply',
    );

    const creates = of('CreateChangeSet');
    expect(creates.map((r) => r.params.StackName)).toEqual(['BoundlessDeliveryReplica', 'BoundlessDelivery']);
    const [replica, delivery] = creates.map((r) => r.params);
    expect(replica?.ChangeSetName).toBe('boundless-cs-2026-12-05-0007-apply');
    expect(replica?.ChangeSetType).toBe('UPDATE');
    expect(JSON.parse(replica?.TemplateBody ?? '')).toEqual(templates.BoundlessDeliveryReplica);
    // The delivery stack's template is over the inline limit: it goes by URL, through the uploader.
    expect(JSON.stringify(templates.BoundlessDelivery).length).toBeGreaterThan(TEMPLATE_BODY_LIMIT);
    expect(delivery?.TemplateBody).toBeUndefined();
    expect(delivery?.TemplateURL).toBe('https://boundless-templates.s3.amazonaws.com/BoundlessDelivery.json');
    expect(uploads).toEqual(['BoundlessDelivery']);
    expect([1, 2, 3].map((i) => delivery?.[`Capabilities.member.${i}`])).toEqual([
      'CAPABILITY_IAM',
      'CAPABILITY_NAMED_IAM',
      'CAPABILITY_AUTO_EXPAND',
    ]);
    const triggers = GUARDED.map(
      (slo) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:boundless-slo-${slo}-fast-burn`,
    ).sort();
    expect(
      [1, 2, 3].map((i) => delivery?.[`RollbackConfiguration.RollbackTriggers.member.${i}.Arn`]),
    ).toEqual(triggers);
    expect(delivery?.['RollbackConfiguration.RollbackTriggers.member.1.Type']).toBe('AWS::CloudWatch::Alarm');
    expect(delivery?.['RollbackConfiguration.RollbackTriggers.member.4.Arn']).toBeUndefined();
    expect(delivery?.['RollbackConfiguration.MonitoringTimeInMinutes']).toBe('15');

    // Executed by the id CreateChangeSet answered, only after the change set was CREATE_COMPLETE.
    const executes = of('ExecuteChangeSet');
    expect(executes.map((r) => r.params.ChangeSetName)).toEqual([
      expect.stringContaining('changeSet/boundless-cs-2026-12-05-0007-apply/1'),
      expect.stringContaining('changeSet/boundless-cs-2026-12-05-0007-apply/2'),
    ]);
    const actions = standIn?.requests
      .filter((r) => r.params.StackName === 'BoundlessDelivery')
      .map((r) => r.action);
    expect(actions).toEqual([
      'CreateChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'DescribeChangeSet',
      'ExecuteChangeSet',
      'DescribeStacks',
      'DescribeStacks',
      'DescribeStacks',
    ]);
    expect(record).toMatchObject({
      via: 'cloudformation',
      phase: 'apply',
      stacks: [
        {
          stack: 'BoundlessDeliveryReplica',
          outcome: 'executed',
          templateVia: 'body',
          stackStatus: 'UPDATE_COMPLETE',
        },
        {
          stack: 'BoundlessDelivery',
          outcome: 'executed',
          changeSetStatus: 'CREATE_COMPLETE',
          stackStatus: 'UPDATE_COMPLETE',
          templateVia: 'url',
          rollbackTriggers: triggers,
        },
      ],
    });
  });

  it("passes each stack's own execution role (its region's bootstrap), or none where it has none", async () => {
    const roles: Record<string, string> = {
      BoundlessDeliveryReplica:
        'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-west-2',
      BoundlessDelivery: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1',
    };
    const { applier } = await applierOver(
      { BoundlessDeliveryReplica: {}, BoundlessDelivery: {}, BoundlessObservability: {} },
      { roleArn: (stack) => roles[stack] },
    );
    await applier.apply(
      {},
      changeSetTouching('BoundlessDeliveryReplica', 'BoundlessDelivery', 'BoundlessObservability'),
      'apply',
    );
    expect(of('CreateChangeSet').map((r) => [r.params.StackName, r.params.RoleARN])).toEqual([
      ['BoundlessDeliveryReplica', roles.BoundlessDeliveryReplica],
      ['BoundlessDelivery', roles.BoundlessDelivery],
      ['BoundlessObservability', undefined],
    ]);
  });

  it('leaves stacks the approved diff does not name alone, and treats an empty change set as a no-op', async () => {
    const { applier } = await applierOver({ BoundlessDeliveryReplica: { noChanges: true } });
    const record = await applier.apply({}, changeSetTouching('BoundlessDeliveryReplica'), 'rollback');
    expect(of('CreateChangeSet').map((r) => [r.params.StackName, r.params.ChangeSetName])).toEqual([
      ['BoundlessDeliveryReplica', 'boundless-cs-2026-12-05-0007-rollback'],
    ]);
    expect(of('ExecuteChangeSet')).toEqual([]);
    expect(record.stacks).toEqual([
      expect.objectContaining({
        stack: 'BoundlessDeliveryReplica',
        outcome: 'no_changes',
        changeSetStatus: 'FAILED',
      }),
    ]);
  });

  it('says CloudFormation rolled the update back when a trigger alarmed', async () => {
    const { applier } = await applierOver({
      BoundlessDeliveryReplica: {
        outcome: 'UPDATE_ROLLBACK_COMPLETE',
        outcomeReason: 'Rollback triggered by alarm boundless-slo-access-api-availability-fast-burn',
      },
    });
    const failure = await applier
      .apply({}, changeSetTouching('BoundlessDeliveryReplica'), 'apply')
      .catch((e) => e);
    expect(failure).toBeInstanceOf(CloudFormationRolledBackError);
    expect(failure).toMatchObject({
      stackName: 'BoundlessDeliveryReplica',
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
    });
    expect(failure.message).toMatch(/rolled the update back .*access-api-availability-fast-burn/);
  });

  it('rides out a throttled and a 503 answer through the SDK retries', async () => {
    const { applier, standIn: server } = await applierOver({ BoundlessDeliveryReplica: {} });
    server.failNext.push({ status: 400, code: 'Throttling' }, { status: 503, code: 'ServiceUnavailable' });
    const record = await applier.apply({}, changeSetTouching('BoundlessDeliveryReplica'), 'apply');
    expect(of('CreateChangeSet')).toHaveLength(3);
    expect(record.stacks).toEqual([expect.objectContaining({ outcome: 'executed' })]);
  });

  it('fails with the cause when the SDK gives up, and when a change set never settles', async () => {
    const { applier, standIn: server } = await applierOver({
      BoundlessDeliveryReplica: { pendingPolls: 1000 },
    });
    server.failNext.push(...Array.from({ length: 3 }, () => ({ status: 500, code: 'InternalFailure' })));
    const gaveUp = await applier
      .apply({}, changeSetTouching('BoundlessDeliveryReplica'), 'apply')
      .catch((e) => e);
    expect(gaveUp).toBeInstanceOf(CloudFormationApplyError);
    expect(gaveUp.message).toMatch(/CreateChangeSet failed/);
    expect(gaveUp.cause).toMatchObject({ name: 'InternalFailure' });

    const stuck = await applier
      .apply({}, changeSetTouching('BoundlessDeliveryReplica'), 'apply')
      .catch((e) => e);
    expect(stuck).toBeInstanceOf(CloudFormationApplyError);
    expect(stuck.message).toMatch(/timed out after 60000 ms waiting for the change set to be created/);
    // 60 s of the injected clock at one poll per 5 s.
    expect(of('DescribeChangeSet')).toHaveLength(13);
  });

  it('refuses more rollback alarms than CloudFormation takes, before calling it', async () => {
    const { applier } = await applierOver(
      { BoundlessDeliveryReplica: {} },
      {
        rollbackAlarms: (_stack, all) =>
          alarmArnsInTemplate(all.BoundlessObservability ?? {}, WHERE, (name) => name.endsWith('-fast-burn')),
      },
    );
    await expect(applier.apply({}, changeSetTouching('BoundlessDeliveryReplica'), 'apply')).rejects.toThrow(
      /rollback alarms, CloudFormation takes at most 5/,
    );
    expect(standIn?.requests).toEqual([]);
  });

  it("finds the observability stack's page roll-up, the one trigger that covers every SLO page", () => {
    expect(
      alarmArnsInTemplate(
        templates.BoundlessObservability ?? {},
        WHERE,
        (name) => name === 'boundless-slo-page',
      ),
    ).toEqual(['arn:aws:cloudwatch:us-east-1:123456789012:alarm:boundless-slo-page']);
  });

  it('names change sets as CloudFormation allows', () => {
    expect(changeSetName('a_b.c', 'rollback')).toBe('boundless-a-b-c-rollback');
    expect(changeSetName('x'.repeat(200), 'apply')).toHaveLength(128);
  });
});
