import { createHash } from 'node:crypto';
import type { Finding, FindingSeverity } from '../findings.ts';
import type { Detection } from './types.ts';

const SUMMARY: Record<Detection['kind'], (d: Detection) => string> = {
  token_sharing: (d) =>
    `Access ${d.subject.tokenId ? `token ${d.subject.tokenId}` : `account ${d.subject.accountId}`} used like a shared credential (${reasonsOf(d)})`,
  scraping: (d) =>
    `${sharingToo(d) ? 'Scraping and sharing' : 'Scraping'} by ${whoOf(d)}${sharingToo(d) ? ', pulling content through many networks' : ''} (${reasonsOf(d)})`,
  geo_spike: (d) =>
    `Readers from ${d.subject.country}: ${String(d.evidence.readersLastTwoMinutes)} in two minutes against an expected ${String(d.evidence.expectedReaders)}`,
};

/** One token or account taking content through many addresses is scraping and sharing at once. */
function sharingToo(d: Detection): boolean {
  const behaviours = d.evidence.behaviours;
  return Array.isArray(behaviours) && behaviours.includes('token_sharing');
}

function whoOf(d: Detection): string {
  const { tokenId, accountId, ip } = d.subject;
  if (tokenId) return `token ${tokenId}${accountId ? ` of account ${accountId}` : ''}`;
  if (accountId) return `account ${accountId}${ip ? ` from ${ip}` : ''}`;
  return `address ${ip}`;
}

function reasonsOf(d: Detection): string {
  const reasons = d.evidence.reasons;
  return Array.isArray(reasons) ? reasons.join(', ').replaceAll('_', ' ') : d.kind;
}

function severityOf(d: Detection): FindingSeverity {
  if (d.kind === 'geo_spike') return d.score >= 0.8 ? 'warning' : 'info';
  return d.score >= 0.85 ? 'critical' : 'warning';
}

/** The service's view of a detection; the id is stable for the same (kind, subject, firstSeen). */
export function detectionToFinding(d: Detection): Finding {
  const subjectKey = JSON.stringify([
    d.subject.tokenId,
    d.subject.accountId,
    d.subject.ip,
    d.subject.country,
  ]);
  const id = createHash('sha256').update(`${d.kind}|${subjectKey}|${d.firstSeen}`).digest('hex').slice(0, 24);
  return {
    id: `${d.kind}-${id}`,
    kind: d.kind,
    subject: { ...d.subject },
    firstSeen: d.firstSeen,
    detectedAt: d.detectedAt,
    score: d.score,
    severity: severityOf(d),
    summary: SUMMARY[d.kind](d),
    evidence: d.evidence,
    mitigation: d.mitigation,
  };
}
