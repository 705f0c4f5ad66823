/**
 * The policies that name each detection's `mitigation` unless the caller passes its own: those of
 * copilot/policies.json, as the copilot service applies them, read once per process.
 */
import { loadMitigationConfig } from '../mitigation/config.ts';
import type { MitigationPolicy } from '../mitigation/types.ts';

let policies: readonly MitigationPolicy[] | undefined;

export function defaultPolicies(): readonly MitigationPolicy[] {
  policies ??= loadMitigationConfig().policies;
  return policies;
}
