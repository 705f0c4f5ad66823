import { ulid } from 'ulid';
import { z } from 'zod';
import type { EvidenceLedger } from './evidence.ts';
import type { TelemetryShield } from './injection.ts';

/**
 * What the chat may recommend. The model holds no write tool: `suggest_mitigation` only records a suggestion
 * next to the answer, and an on-call engineer turns it into a pending proposal (or not).
 */
export const SUGGESTED_ACTIONS = [
  // The mitigation port's actions (abuse).
  'revoke_token',
  'force_reauth',
  'short_ttl',
  'rate_limit',
  'block_ip',
  // Changes that go through a change set.
  'rollback_deploy',
  'revert_config',
  'scale_capacity',
  'raise_provisioned_concurrency',
  'rotate_signing_key',
  'invalidate_cache',
  'follow_runbook',
] as const;

export type SuggestedAction = (typeof SUGGESTED_ACTIONS)[number];

export interface Suggestion {
  id: string;
  action: SuggestedAction;
  /** What the action applies to: `{ip}`, `{accountId}`, `{tokenId}`, `{component}`, `{runbook}`... */
  target: Record<string, string>;
  rationale: string;
  /** Evidence ids (E3...) that support it. */
  evidence: string[];
  /** Who suggested it: the model, the offline diagnostician, or the finding's own policy. */
  by: 'model' | 'diagnostician' | 'finding';
}

export const suggestionInput = z.object({
  action: z.enum(SUGGESTED_ACTIONS).describe('the action to recommend'),
  target: z
    .record(z.string(), z.string().min(1).max(200))
    .describe(
      'what it applies to, e.g. {"ip": "<ip-1>"}, {"accountId": "<account-2>"}, {"component": "checkout"}',
    ),
  rationale: z.string().min(10).max(600).describe('why, in one or two sentences'),
  evidence: z
    .array(z.string().regex(/^E\d+$/))
    .min(1)
    .max(12)
    .describe('ids of the evidence that supports it, e.g. ["E3", "E7"]'),
});

export type SuggestionInput = z.output<typeof suggestionInput>;

/**
 * Checks a suggestion before it is recorded: its evidence must exist and not be withheld text, and every target
 * value must have been named by a trusted, structured source (never only by free text in the telemetry).
 */
export function checkSuggestion(
  input: SuggestionInput,
  ledger: EvidenceLedger,
  shield: TelemetryShield,
  by: Suggestion['by'],
): { ok: true; suggestion: Suggestion } | { ok: false; code: string; message: string } {
  const missing = input.evidence.filter((id) => !ledger.get(id));
  if (missing.length)
    return {
      ok: false,
      code: 'unknown_evidence',
      message: `no evidence ${missing.join(', ')} in this incident`,
    };
  const withheld = input.evidence.filter((id) => ledger.get(id)?.withheld);
  if (withheld.length === input.evidence.length)
    return {
      ok: false,
      code: 'withheld_evidence',
      message: `evidence ${withheld.join(', ')} is withheld telemetry text and cannot support an action`,
    };
  const unsupported = shield.unsupportedTarget(Object.values(input.target));
  if (unsupported !== undefined)
    return {
      ok: false,
      code: 'unsupported_target',
      message:
        `the target "${unsupported}" is not named by the incident's finding, an evidence reference or the ` +
        'operator; a mitigation cannot rest on free text from the telemetry',
    };
  return { ok: true, suggestion: { id: `sug_${ulid()}`, ...input, by } };
}
