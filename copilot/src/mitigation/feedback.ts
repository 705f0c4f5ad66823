import type { Detection } from '../detect/types.ts';
import type { MitigationTarget } from './types.ts';

/**
 * Operators' feedback that policies honour. A false positive suppresses further actions on its subject for a
 * while (`suppress`, with an expiry), or, for an owner, puts the subject on the guardrails' allow-list for good
 * (`allow_list`, recorded here for the trail; the guardrails carry the effect). Detection goes on either way: a
 * suppressed subject still raises findings, only the policies leave it alone.
 */
export interface FeedbackRule {
  id: string;
  kind: 'suppress' | 'allow_list';
  /** The subject the feedback names: an account when the mitigation had one, else the address or token. */
  subject: { accountId?: string; ip?: string; tokenId?: string };
  /** ISO; the rule stops applying to detections at or after it (event time). Null: no expiry. */
  expiresAt: string | null;
  createdAt: string;
  actor: string;
  reason: string;
  /** The mitigation the operator called a false positive, and what detected it. */
  mitigationId: string;
  detectionKind: string;
  status: 'active' | 'ended';
  endedAt?: string;
  endedBy?: string;
}

/**
 * The subject feedback should name: the account behind a token or address when there is one (a reader's next
 * session has a new token but the same account), otherwise the address, otherwise the token.
 */
export function feedbackSubject(target: MitigationTarget): FeedbackRule['subject'] | undefined {
  if (target.accountId) return { accountId: target.accountId };
  if (target.ip) return { ip: target.ip };
  if (target.tokenId) return { tokenId: target.tokenId };
  return undefined;
}

export function describeSubject(subject: FeedbackRule['subject']): string {
  if (subject.accountId) return `account ${subject.accountId}`;
  if (subject.ip) return `address ${subject.ip}`;
  return `token ${subject.tokenId ?? '?'}`;
}

/** The active suppressions, checked by the planner before any action. */
export class FeedbackRules {
  private readonly rules = new Map<string, FeedbackRule>();

  constructor(rules: readonly FeedbackRule[] = []) {
    for (const rule of rules) this.add(rule);
  }

  add(rule: FeedbackRule): void {
    if (rule.kind === 'suppress' && rule.status === 'active') this.rules.set(rule.id, rule);
  }

  end(id: string): void {
    this.rules.delete(id);
  }

  /** The suppression covering this detection or target at the detection's event time, if any. */
  suppressing(
    detection: Pick<Detection, 'subject'>,
    target: MitigationTarget,
    nowMs: number,
  ): FeedbackRule | undefined {
    for (const rule of this.rules.values()) {
      if (rule.expiresAt !== null && Date.parse(rule.expiresAt) <= nowMs) continue;
      const { accountId, ip, tokenId } = rule.subject;
      if (accountId && (accountId === target.accountId || accountId === detection.subject.accountId))
        return rule;
      if (ip && (ip === target.ip || ip === detection.subject.ip)) return rule;
      if (tokenId && (tokenId === target.tokenId || tokenId === detection.subject.tokenId)) return rule;
    }
    return undefined;
  }
}
