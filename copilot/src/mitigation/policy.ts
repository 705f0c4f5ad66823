import { createHash } from 'node:crypto';
import { ipInRanges, parseCidr } from '@boundless/delivery';
import type { Detection } from '../detect/types.ts';
import { describeSubject, type FeedbackRules } from './feedback.ts';
import type { Decision, Guardrails, Mitigation, MitigationPolicy, MitigationTarget } from './types.ts';

/**
 * The pure decision core: detection + policies + guardrails + what is already active -> one decision. It keeps
 * the rolling-hour record of applied actions itself, so replaying the same detections gives the same decisions.
 */
export class MitigationPlanner {
  private readonly appliedAt: number[] = [];
  private readonly active = new Map<string, number>();

  constructor(
    private readonly policies: readonly MitigationPolicy[],
    private readonly guardrails: Guardrails,
    /** Operators' false-positive feedback, honoured before anything else. */
    private readonly feedback?: FeedbackRules,
  ) {
    const invalid = guardrails.allowCidrs.find((cidr) => parseCidr(cidr) === undefined);
    if (invalid !== undefined) throw new Error(`invalid allow-listed CIDR "${invalid}"`);
  }

  decide(detection: Detection): Decision {
    const nowMs = Date.parse(detection.detectedAt);
    if (Number.isNaN(nowMs))
      return skip('invalid_detection', `unreadable detectedAt "${detection.detectedAt}"`);
    const candidates = this.policies.filter((p) => p.kinds.includes(detection.kind));
    if (candidates.length === 0) return skip('no_policy', `no policy answers ${detection.kind}`);
    const policy = selectPolicy(detection, this.policies);
    if (!policy) {
      const lowest = Math.min(...candidates.map((p) => p.minScore));
      return skip(
        detection.score >= lowest ? 'observe' : 'below_threshold',
        `score ${detection.score} on ${corroborationOf(detection)} families of evidence meets no policy for its subject (lowest bar ${lowest}): observed only`,
      );
    }
    const target = targetFor(policy, detection);
    if (!target) return skip('no_target', `${policy.action} needs a subject the detection does not name`);
    const rule = this.feedback?.suppressing(detection, target, nowMs);
    if (rule)
      return skip(
        'suppressed',
        `${describeSubject(rule.subject)} was marked a false positive by ${rule.actor}` +
          (rule.expiresAt ? ` (suppressed until ${rule.expiresAt})` : ''),
      );
    const allowed = this.allowListed(detection, target);
    if (allowed) return skip('allow_listed', allowed);
    const key = `${policy.action}|${JSON.stringify(target)}`;
    const activeUntil = this.active.get(key);
    if (activeUntil !== undefined && activeUntil > nowMs)
      return skip(
        'already_active',
        `${policy.action.replace(/_/g, ' ')} on ${describeTarget(target)} is in force until ${new Date(activeUntil).toISOString()}`,
      );
    while (this.appliedAt.length > 0 && (this.appliedAt[0] ?? 0) <= nowMs - 3_600_000) this.appliedAt.shift();
    if (this.appliedAt.length >= this.guardrails.maxActionsPerHour) {
      return skip('hourly_cap', `${this.appliedAt.length} actions in the last hour; holding for a person`);
    }
    const expiresMs = nowMs + policy.durationSeconds * 1000;
    this.appliedAt.push(nowMs);
    this.active.set(key, expiresMs);
    return {
      outcome: 'apply',
      mitigation: buildMitigation(policy, detection, target, expiresMs, this.guardrails.dryRun),
    };
  }

  /** Forget an action lifted early (rolled back), so a new detection may act again. */
  release(mitigation: Mitigation): void {
    this.active.delete(`${mitigation.action}|${JSON.stringify(mitigation.target)}`);
  }

  private allowListed(detection: Detection, target: MitigationTarget): string | undefined {
    // Address allow-lists (campus NATs) shield address-wide actions; a single token or account is still
    // answerable, since one shared token behind a campus NAT is exactly what must be stopped.
    if (target.ip && ipInRanges(target.ip, this.guardrails.allowCidrs))
      return `${target.ip} is in an allow-listed range`;
    const account = target.accountId ?? detection.subject.accountId;
    // Read live: owners add accounts to the allow-list while the copilot runs.
    if (account && this.guardrails.allowAccounts.includes(account))
      return `account ${account} is allow-listed`;
    const agent = typeof detection.evidence.userAgent === 'string' ? detection.evidence.userAgent : '';
    if (!target.tokenId && agent && this.guardrails.allowUserAgents.some((a) => agent.includes(a))) {
      return `user agent "${agent}" is allow-listed`;
    }
    return undefined;
  }
}

/** Independent families of evidence behind a detection (1 when it does not say). */
function corroborationOf(detection: Pick<Detection, 'evidence'>): number {
  const n = detection.evidence.corroboration;
  return typeof n === 'number' && Number.isFinite(n) ? n : 1;
}

/**
 * The policy the defaults take for a detection: the first (strongest) whose kind, subject, score and
 * corroboration bars it meets; undefined means `observe`. Pure: the engine names it in every detection.
 */
function selectPolicy(
  detection: Pick<Detection, 'kind' | 'subject' | 'score' | 'evidence'>,
  policies: readonly MitigationPolicy[],
): MitigationPolicy | undefined {
  const corroboration = corroborationOf(detection);
  return policies.find(
    (p) =>
      p.kinds.includes(detection.kind) &&
      p.subjects.some((key) => detection.subject[key] !== undefined) &&
      !p.unlessNamed?.some((key) => detection.subject[key] !== undefined) &&
      detection.score >= p.minScore &&
      corroboration >= p.minCorroboration,
  );
}

/** The action the default policies take for a detection, `observe` when none. */
export function defaultAction(
  detection: Pick<Detection, 'kind' | 'subject' | 'score' | 'evidence'>,
  policies: readonly MitigationPolicy[],
): string {
  return selectPolicy(detection, policies)?.action ?? 'observe';
}

/** A target in an operator's words: "account reader-020, address 198.51.100.7". */
function describeTarget(target: MitigationTarget): string {
  const words = { accountId: 'account', tokenId: 'token', ip: 'address', country: 'country' } as const;
  return (Object.keys(words) as (keyof typeof words)[])
    .filter((key) => target[key] !== undefined)
    .map((key) => `${words[key]} ${target[key]}`)
    .join(', ');
}

function skip(reason: Extract<Decision, { outcome: 'skip' }>['reason'], detail: string): Decision {
  return { outcome: 'skip', reason, detail };
}

/** The action's target: the first of the policy's subjects the detection names (a token keeps its account). */
function targetFor(policy: MitigationPolicy, detection: Detection): MitigationTarget | undefined {
  const key = policy.subjects.find((k) => detection.subject[k] !== undefined);
  if (key === undefined) return undefined;
  const value = detection.subject[key]!;
  if (key === 'tokenId') return { tokenId: value, accountId: detection.subject.accountId };
  return { [key]: value };
}

function buildMitigation(
  policy: MitigationPolicy,
  detection: Detection,
  target: MitigationTarget,
  expiresMs: number,
  dryRun: boolean,
): Mitigation {
  const id = createHash('sha256')
    .update(`${policy.name}|${JSON.stringify(target)}|${detection.detectedAt}`)
    .digest('hex')
    .slice(0, 20);
  return {
    id: `mit_${id}`,
    policy: policy.name,
    action: policy.action,
    target,
    params: { ttlSeconds: policy.ttlSeconds, limit: policy.limit, windowSeconds: policy.windowSeconds },
    decidedAt: detection.detectedAt,
    expiresAt: new Date(expiresMs).toISOString(),
    reason: `${detection.kind} (score ${detection.score}) matched policy ${policy.name}; cost if mistaken: ${policy.costToLegitimateReader}`,
    evidence: detection.evidence,
    detection: {
      kind: detection.kind,
      subject: detection.subject,
      score: detection.score,
      firstSeen: detection.firstSeen,
      detectedAt: detection.detectedAt,
    },
    dryRun,
  };
}
