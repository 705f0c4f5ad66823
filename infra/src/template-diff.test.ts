import { describe, expect, it } from 'vitest';
import { STACK_NAMES } from './app-builder.ts';
import { synthTemplates } from './synth.ts';
import { diffStackTemplates, diffTemplates } from './template-diff.ts';
import { loadTunables, type Tunables } from './tunables.ts';

const base = loadTunables();

function patched(change: (t: Tunables) => void): Tunables {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

describe('synthTemplates + diffTemplates', () => {
  // GIVEN the shipped tunables and a patch touching a TTL, a memory size, a rate rule and the canary,
  // WHEN both are synthesized (once each: synthesis is the slow part)
  const before = synthTemplates(base);
  const after = synthTemplates(
    patched((t) => {
      t.cache.behaviors['/titles/*'].defaultTtlSeconds = 172_800;
      t.lambda.functions.grantAccess = { ...t.lambda.functions.grantAccess, memoryMb: 1536 };
      t.waf.rateRules.perAddress.limit = 5000;
      t.deploy.canaryPercent = 20;
    }),
  );
  const diff = diffTemplates(before, after);
  const delivery = diff.stacks.find((s) => s.stack === STACK_NAMES.delivery)!;
  const change = (path: string) => delivery.resources.find((r) => r.path === path);

  it('returns one template per stack, keyed by stack name', () => {
    expect(Object.keys(before)).toEqual(Object.values(STACK_NAMES).filter((name) => name in before));
    expect(before[STACK_NAMES.delivery]?.Resources).toBeDefined();
  });

  it('is empty between two syntheses of the same tunables', () => {
    const same = diffTemplates(before, synthTemplates(base));
    expect(same.differenceCount).toBe(0);
    expect(same.text).toBe('');
    expect(same.ownerReasons).toEqual([]);
  });

  it('names the cache policy, function and web ACL updates with their old and new values', () => {
    const policy = change('BoundlessDelivery/Edge/Cache-titles/Resource');
    expect(policy?.action).toBe('update');
    expect(JSON.stringify(policy?.properties[0]?.before)).toContain('"DefaultTTL":86400');
    expect(JSON.stringify(policy?.properties[0]?.after)).toContain('"DefaultTTL":172800');
    const fn = change('BoundlessDelivery/AccessApi/grantAccess/Resource/Resource');
    expect(fn?.properties).toEqual([{ property: 'MemorySize', impact: 'update', before: 1024, after: 1536 }]);
    expect(change('BoundlessDelivery/WebAcl/Resource')?.action).toBe('update');
  });

  it('keeps the replaced version of a function as an orphan, not a deletion', () => {
    expect(delivery.orphans.map((r) => r.type)).toEqual(['AWS::Lambda::Version']);
    expect(delivery.deletions).toEqual([]);
  });

  it('reports the replaced deployment configuration as needing an owner', () => {
    expect(diff.replacements.map((r) => r.type)).toEqual(['AWS::CodeDeploy::DeploymentConfig']);
    expect(diff.ownerReasons).toEqual([
      expect.stringMatching(
        /^BoundlessDelivery: .*CanaryConfig.* \(AWS::CodeDeploy::DeploymentConfig\) will be replaced$/,
      ),
    ]);
  });

  it('renders the diff as cdk diff prints it, without colour codes', () => {
    expect(diff.text).toContain('Stack BoundlessDelivery');
    expect(diff.text).toMatch(/\[~\] AWS::CloudFront::CachePolicy .*Cache-titles/);
    expect(diff.text).not.toContain('\u001b[');
  });
});

describe('diffStackTemplates: security changes', () => {
  const role = (...statements: string[][]) => ({
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } },
            ],
          },
          Policies: [
            {
              PolicyName: 'p',
              PolicyDocument: {
                Statement: statements.map((actions, i) => ({
                  Effect: 'Allow',
                  Action: actions,
                  Resource: `arn:aws:s3:::b${i}/*`,
                })),
              },
            },
          ],
        },
      },
    },
  });

  it('flags a broadened policy and lists the added statement in the security table', () => {
    const diff = diffStackTemplates('S', role(['s3:GetObject']), role(['s3:GetObject', 's3:PutObject']));
    expect(diff.iam.broadened).toBe(true);
    expect(diff.iam.rows).toContainEqual(
      expect.objectContaining({
        change: '+',
        kind: 'statement',
        cells: expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'] }),
      }),
    );
    expect(diff.securityText).toContain('IAM Statement Changes');
    expect(
      diffTemplates({ S: role(['s3:GetObject']) }, { S: role(['s3:GetObject', 's3:PutObject']) })
        .ownerReasons,
    ).toEqual(['S: IAM permissions are broadened']);
  });

  it('does not flag a removed statement as broadened, and a removed resource is a deletion', () => {
    const narrowed = diffStackTemplates(
      'S',
      role(['s3:GetObject'], ['s3:PutObject']),
      role(['s3:GetObject']),
    );
    expect(narrowed.iam.changed).toBe(true);
    expect(narrowed.iam.broadened).toBe(false);
    const removed = diffStackTemplates('S', role(['s3:GetObject']), { Resources: {} });
    expect(removed.deletions.map((r) => r.logicalId)).toEqual(['Role']);
  });

  it('diffs a stack that did not exist before against an empty template', () => {
    const created = diffTemplates({}, { S: role(['s3:GetObject']) });
    expect(created.stacks[0]?.resources.map((r) => r.action)).toEqual(['create']);
  });
});
