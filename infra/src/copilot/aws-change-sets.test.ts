import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { PlanDiff } from '@boundless/copilot/changes';
import { afterAll, describe, expect, it } from 'vitest';
import { STACK_NAMES } from '../app-builder.ts';
import { tunablesPlanner } from '../change-plans.ts';
import { loadTunables } from '../tunables.ts';
import { awsTunablesDocument } from './aws-change-sets.ts';

// Nothing is read or applied here: only the planner's answer to a proposal.
const nowhere = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  endpoint: 'http://127.0.0.1:9',
  maxAttempts: 1,
};
const documentWith = (planner: Parameters<typeof awsTunablesDocument>[0]['planner']) =>
  awsTunablesDocument({
    s3: new S3Client(nowhere),
    cloudFormation: () => new CloudFormationClient(nowhere),
    bucket: 'reports',
    region: 'us-east-1',
    account: '111122223333',
    prefix: 'boundless',
    templates: async () => ({}),
    ...(planner ? { planner } : {}),
  });
const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const document of opened) await document.close();
});

describe('awsTunablesDocument: what the copilot applies', () => {
  it("refuses a change to the pre-warming bounds: it changes the copilot's own role, deployed by a person", async () => {
    const document = documentWith(tunablesPlanner());
    opened.push(document);
    const before = structuredClone(loadTunables());
    const after = structuredClone(before);
    after.lambda.prewarm = { ...after.lambda.prewarm!, mode: 'live', maxCapacity: 50 };
    const refused = await document.planner.diff(before, after).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      name: 'ChangeSetError',
      code: 'unsupported_action',
      details: { stack: STACK_NAMES.copilot },
    });
    expect((refused as Error).message).toMatch(/cdk deploy BoundlessCopilot/);
  }, 60_000);

  it('passes a diff of the other stacks through unchanged', async () => {
    const diff = {
      resources: [{ stack: STACK_NAMES.delivery, logicalId: 'Fn', type: 'AWS::Lambda::Function' }],
    } as unknown as PlanDiff;
    const document = documentWith({ validate: () => {}, diff: async () => diff });
    opened.push(document);
    expect(await document.planner.diff({}, {})).toBe(diff);
  });
});
