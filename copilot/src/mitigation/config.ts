import { readFileSync } from 'node:fs';
import { parseCidr } from '@boundless/delivery';
import { z } from 'zod';
import type { Guardrails, MitigationPolicy } from './types.ts';

const policySchema = z.object({
  name: z.string().min(1),
  kinds: z.array(z.enum(['token_sharing', 'scraping', 'geo_spike'])).min(1),
  suggestions: z.array(z.string()).optional(),
  action: z.enum(['revoke_token', 'force_reauth', 'short_ttl', 'rate_limit', 'block_ip']),
  minScore: z.number().min(0).max(1),
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
