import { readFileSync } from 'node:fs';
import { parseCidr } from '@boundless/delivery';
import { z } from 'zod';
import {
  EFFECT_OF,
  type Guardrails,
  type MitigationAction,
  type MitigationPolicy,
  type SubjectKey,
} from './types.ts';

/** The subjects each action can act on (its target). */
const TARGETS: Readonly<Record<MitigationAction, readonly SubjectKey[]>> = {
  revoke_token: ['tokenId'],
  force_reauth: ['accountId'],
  short_ttl: ['accountId'],
  rate_limit: ['accountId', 'ip', 'country'],
  block_ip: ['ip'],
};

const policySchema = z.object({
  name: z.string().min(1),
  kinds: z.array(z.enum(['token_sharing', 'scraping', 'geo_spike'])).min(1),
  subjects: z.array(z.enum(['tokenId', 'accountId', 'ip', 'country'])).min(1),
  unlessNamed: z.array(z.enum(['tokenId', 'accountId', 'ip', 'country'])).optional(),
  action: z.enum(['revoke_token', 'force_reauth', 'short_ttl', 'rate_limit', 'block_ip']),
  minScore: z.number().min(0).max(1),
  minCorroboration: z.number().int().min(1).default(1),
  costToLegitimateReader: z.string().min(10, 'say what the action costs a reader caught by mistake'),
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 86_400),
  ttlSeconds: z.number().int().positive().optional(),
  limit: z.number().int().positive().optional(),
  windowSeconds: z.number().int().positive().optional(),
});

const guardrailsSchema = z.object({
  allowCidrs: z
    .array(z.string().refine((cidr) => parseCidr(cidr) !== undefined, 'must be a CIDR such as 192.0.2.0/24'))
    .default([]),
  allowAccounts: z.array(z.string()).default([]),
  allowUserAgents: z.array(z.string()).default([]),
  maxActionsPerHour: z.number().int().nonnegative().default(50),
  dryRun: z.boolean().default(false),
});

const mitigationConfigSchema = z
  .object({ policies: z.array(policySchema).min(1), guardrails: guardrailsSchema })
  .superRefine((config, ctx) => {
    config.policies.forEach((policy, index) => {
      const wrong = policy.subjects.filter((subject) => !TARGETS[policy.action].includes(subject));
      if (wrong.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', index, 'subjects'],
          message: `${policy.action} cannot act on ${wrong.join(', ')}; it takes ${TARGETS[policy.action].join(' or ')}`,
        });
      }
      // A denial refuses a reader's requests: it must rest on two families of evidence or on near certainty.
      if (EFFECT_OF[policy.action] === 'deny' && policy.minCorroboration < 2 && policy.minScore < 0.95) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', index],
          message: `${policy.action} denies access: set minCorroboration >= 2 or minScore >= 0.95 (got ${policy.minCorroboration} and ${policy.minScore})`,
        });
      }
      if (policy.action === 'short_ttl' && policy.ttlSeconds === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', index, 'ttlSeconds'],
          message: 'short_ttl needs ttlSeconds',
        });
      }
      if (
        policy.action === 'rate_limit' &&
        (policy.limit === undefined || policy.windowSeconds === undefined)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', index],
          message: 'rate_limit needs limit and windowSeconds',
        });
      }
    });
  });

export interface MitigationConfig {
  policies: MitigationPolicy[];
  guardrails: Guardrails;
}

export class MitigationConfigError extends Error {
  override name = 'MitigationConfigError';
}

export function parseMitigationConfig(value: unknown, origin = 'mitigation config'): MitigationConfig {
  const result = mitigationConfigSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new MitigationConfigError(`${origin} is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

export const DEFAULT_POLICIES_PATH = new URL('../../policies.json', import.meta.url);

export function loadMitigationConfig(path: string | URL = DEFAULT_POLICIES_PATH): MitigationConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MitigationConfigError(`cannot read ${String(path)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseMitigationConfig(raw, String(path));
}
