import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_ACCOUNT, resolveContext } from './context.ts';
import { InfraConfigError } from './errors.ts';
import { loadSecretsIntoEnvironment } from './lambda/secrets.ts';
import {
  approvedPrewarm,
  DEFAULT_TUNABLES_PATH,
  functionTunables,
  loadTunables,
  parseTunables,
} from './tunables.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized templates and patched tunables are untyped JSON.
type Json = any;

const shipped = JSON.parse(readFileSync(DEFAULT_TUNABLES_PATH, 'utf8'));
const problemsOf = (change: (t: Json) => void): string[] => {
  const copy = structuredClone(shipped);
  change(copy);
  try {
    parseTunables(copy);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InfraConfigError);
    return [...(error as InfraConfigError).problems];
  }
};

describe('Tunables', () => {
  it('reads the shipped file', () => {
    const t = loadTunables();
    expect(functionTunables(t, 'grantAccess')).toMatchObject({ memoryMb: 1024, timeoutSeconds: 10 });
    expect(functionTunables(t, 'adminAudit')).toEqual({
      memoryMb: 512,
      timeoutSeconds: 10,
      provisionedConcurrency: undefined,
    });
  });

  it.each([
    [
      'a TTL order',
      (t: Json) => (t.cache.behaviors['/titles/*'].defaultTtlSeconds = 99_999_999),
      /defaultTtlSeconds|TTLs must satisfy/,
    ],
    [
      'an unknown path pattern',
      (t: Json) => (t.cache.behaviors['/audio/*'] = t.cache.behaviors.default),
      /Unrecognized key/,
    ],
    [
      'a missing path pattern',
      (t: Json) => delete t.cache.behaviors['/public/*'],
      /cache\.behaviors\.\/public\/\*/,
    ],
    [
      'Standard-IA before 30 days',
      (t: Json) => (t.storage.content.infrequentAccessAfterDays = 7),
      /infrequentAccessAfterDays/,
    ],
    [
      'Glacier IR too soon after IA',
      (t: Json) => (t.storage.content.glacierInstantRetrievalAfterDays = 100),
      /at least 30 days after/,
    ],
    [
      'an unknown function',
      (t: Json) => (t.lambda.functions.grantAcess = { memoryMb: 256 }),
      /lambda\.functions\.grantAcess: no such function/,
    ],
    [
      'an unknown route',
      (t: Json) => (t.api.throttling.routes['GET /v1/nope'] = { rateLimit: 1, burstLimit: 1 }),
      /no such route/,
    ],
    [
      'a malformed schedule',
      (t: Json) =>
        (t.lambda.functions.grantAccess.provisionedConcurrency.schedules[0].schedule = 'daily at 5'),
      /must be cron/,
    ],
    [
      'a schedule floor above its ceiling',
      (t: Json) => (t.lambda.functions.grantAccess.provisionedConcurrency.schedules[0].min = 500),
      /min must not exceed max/,
    ],
    [
      'a WAF window AWS does not offer',
      (t: Json) => (t.waf.rateRules.perAddress.windowSeconds = 30),
      /windowSeconds/,
    ],
    ['a budget alert given twice', (t: Json) => (t.cost.budgetAlertPercents = [80, 80]), /must be distinct/],
    ['a misspelt key', (t: Json) => (t.deploy.canaryPercnt = 5), /Unrecognized key/],
  ])('refuses %s, naming the path', (_name, change, message) => {
    const problems = problemsOf(change);
    expect(problems.join('\n')).toMatch(message);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf((t) => {
      t.deploy.canaryPercent = 0;
      t.scaleOut.buckets = 0;
    });
    expect(problems).toEqual([
      expect.stringMatching(/^deploy\.canaryPercent: /),
      expect.stringMatching(/^scaleOut\.buckets: /),
    ]);
  });

  it('approves pre-warming bounds, leaving out functions a provisioned-concurrency schedule owns', () => {
    const copy = structuredClone(shipped);
    copy.lambda.prewarm = {
      mode: 'live',
      functions: ['grantAccess', 'listDevices'],
      minCapacity: 1,
      maxCapacity: 5,
      events: ['2026-12-01T18:00:00Z'],
    };
    expect(approvedPrewarm(parseTunables(copy))).toEqual({
      mode: 'live',
      functionNames: ['delivery-list-devices'],
      alias: 'live',
      minCapacity: 1,
      maxCapacity: 5,
      events: ['2026-12-01T18:00:00Z'],
    });
    // Only pinned functions left, or mode off: no loop and no function to grant.
    copy.lambda.prewarm.functions = ['grantAccess'];
    expect(approvedPrewarm(parseTunables(copy))).toMatchObject({ mode: 'off', functionNames: [] });
    copy.lambda.prewarm = { mode: 'off', functions: ['listDevices'], maxCapacity: 5 };
    expect(approvedPrewarm(parseTunables(copy))).toMatchObject({ mode: 'off', functionNames: [] });
    expect(
      problemsOf((t) => {
        t.lambda.prewarm = {
          mode: 'on',
          functions: ['nope'],
          alias: '$LATEST',
          minCapacity: 9,
          maxCapacity: 5,
        };
      }).join('\n'),
    ).toMatch(/lambda\.prewarm\.mode[\s\S]*lambda\.prewarm\.alias/);
    expect(
      problemsOf((t) => {
        t.lambda.prewarm = { functions: ['nope'], minCapacity: 9, maxCapacity: 5 };
      }).join('\n'),
    ).toMatch(/minCapacity must not exceed maxCapacity/);
    expect(
      problemsOf((t) => {
        t.lambda.prewarm = { functions: ['listDevices'], maxCapacity: 5, events: ['1 December'] };
      }),
    ).toEqual([expect.stringMatching(/^lambda\.prewarm\.events\.0: /)]);
    expect(
      problemsOf((t) => {
        t.lambda.prewarm = { functions: ['nope'], maxCapacity: 5 };
      }),
    ).toEqual([expect.stringMatching(/^lambda\.prewarm\.functions: nope: no such function/)]);
  });

  it('says which file could not be read or parsed', () => {
    expect(() => loadTunables('/nonexistent/tunables.json')).toThrow(/cannot read tunables at \/nonexistent/);
    expect(() => parseTunables('not an object')).toThrow(InfraConfigError);
  });
});

describe('Deployment context', () => {
  it('falls back to the CLI account, then to the placeholder', () => {
    expect(resolveContext({}, { CDK_DEFAULT_ACCOUNT: '123456789012' })).toMatchObject({
      account: '123456789012',
      placeholderAccount: false,
      replicaRegion: 'us-west-2',
      prefix: 'boundless',
    });
    expect(resolveContext({}, {})).toMatchObject({ account: PLACEHOLDER_ACCOUNT, placeholderAccount: true });
    expect(resolveContext({ account: '' }, { CDK_DEFAULT_ACCOUNT: '' }).account).toBe(PLACEHOLDER_ACCOUNT);
  });

  it('refuses bad values with every problem named', () => {
    expect(() =>
      resolveContext({ account: '12', replicaRegion: 'us-east-1', prefix: 'Boundless!' }, {}),
    ).toThrow(/account: must be a 12-digit[\s\S]*replicaRegion: must differ[\s\S]*prefix: lowercase/);
    expect(() => resolveContext({ edgeDomainName: 'books.example.com' }, {})).toThrow(/go together/);
  });
});

describe('Delivery secrets at cold start', () => {
  const arns = {
    BOUNDLESS_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN: 'arn:key',
    BOUNDLESS_EDGE_TOKEN_SECRETS_SECRET_ARN: 'arn:tokens',
  };

  it('fills each variable from its secret and leaves a variable already set alone', async () => {
    const env: Record<string, string | undefined> = {
      ...arns,
      BOUNDLESS_EDGE_TOKEN_SECRETS: '{"k1":"local"}',
    };
    const asked: string[] = [];
    await loadSecretsIntoEnvironment(env, async (arn) => {
      asked.push(arn);
      return '-----BEGIN PRIVATE KEY-----';
    });
    expect(asked).toEqual(['arn:key']);
    expect(env.BOUNDLESS_CLOUDFRONT_PRIVATE_KEY).toBe('-----BEGIN PRIVATE KEY-----');
    expect(env.BOUNDLESS_EDGE_TOKEN_SECRETS).toBe('{"k1":"local"}');
  });

  it('fails the cold start naming each variable, never a value', async () => {
    const env: Record<string, string | undefined> = { BOUNDLESS_EDGE_TOKEN_SECRETS_SECRET_ARN: 'arn:tokens' };
    const failure = loadSecretsIntoEnvironment(env, async () => {
      throw Object.assign(new Error('secret-value-xyz'), { name: 'AccessDeniedException' });
    });
    await expect(failure).rejects.toThrow(
      /BOUNDLESS_CLOUDFRONT_PRIVATE_KEY: set it or BOUNDLESS_CLOUDFRONT_PRIVATE_KEY_SECRET_ARN[\s\S]*BOUNDLESS_EDGE_TOKEN_SECRETS: cannot read the secret arn:tokens \(AccessDeniedException\)/,
    );
    await expect(failure).rejects.not.toThrow(/secret-value-xyz/);
    await expect(loadSecretsIntoEnvironment({ ...arns }, async () => '')).rejects.toThrow(/is empty/);
  });
});
