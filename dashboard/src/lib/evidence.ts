/**
 * Detector evidence as a person reads it. Detectors put what they saw in a free-form object (reasons, networks,
 * countries, devices, counts, times); this turns each entry into a labelled line, naming countries, listing
 * networks with their requests, and writing times in local time, without knowing any one detector's fields.
 */
import { formatCount, formatTime, humanize } from './format.ts';

export interface EvidenceLine {
  label: string;
  /** Plain text, or several items to list. */
  value: string | string[];
}

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch (error) {
    // Very old engines: country codes stay codes.
    if (error instanceof RangeError || error instanceof TypeError) return undefined;
    throw error;
  }
})();

function countryName(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  const name = regionNames?.of(code);
  return name && name !== code ? `${name} (${code})` : code;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function scalar(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (/seconds$/i.test(key)) return `${formatCount(value)} s`;
    if (/ms$/i.test(key)) return `${formatCount(value)} ms`;
    return Number.isInteger(value) ? formatCount(value) : String(Math.round(value * 1000) / 1000);
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') {
    if (ISO_TIME.test(value)) return formatTime(value);
    if (/countr/i.test(key)) return countryName(value);
    if (key === 'reasons' || key === 'reason') return humanize(value);
    return value;
  }
  return JSON.stringify(value);
}

function describeObject(item: Record<string, unknown>): string {
  const parts: string[] = [];
  const named = item.network ?? item.name ?? item.ip;
  if (named !== undefined) parts.push(String(named));
  if (item.asn !== undefined) parts.push(`AS${String(item.asn).replace(/^AS/i, '')}`);
  if (typeof item.country === 'string') parts.push(countryName(item.country));
  for (const [key, value] of Object.entries(item)) {
    if (['network', 'name', 'ip', 'asn', 'country'].includes(key)) continue;
    parts.push(`${humanize(key).toLowerCase()} ${scalar(key, value)}`);
  }
  return parts.join(' · ');
}

export function evidenceLines(evidence: Record<string, unknown> | undefined): EvidenceLine[] {
  if (!evidence) return [];
  const lines: EvidenceLine[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    const label = key === 'reasons' ? 'Why' : humanize(key);
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      lines.push({
        label,
        value: value.map((item) =>
          typeof item === 'object' && item !== null
            ? describeObject(item as Record<string, unknown>)
            : scalar(key, item),
        ),
      });
    } else if (typeof value === 'object' && value !== null) {
      lines.push({ label, value: describeObject(value as Record<string, unknown>) });
    } else {
      lines.push({ label, value: scalar(key, value) });
    }
  }
  // Reasons first: they say why before the numbers say how much.
  return lines.sort((a, b) => Number(b.label === 'Why') - Number(a.label === 'Why'));
}

/** The subject as a short phrase: "account reader-048, token abc…, 203.0.113.9, Germany (DE)". */
export function describeSubject(subject: {
  accountId?: string;
  tokenId?: string;
  ip?: string;
  country?: string;
  slo?: string;
  series?: string;
  functionName?: string;
}): string {
  const parts: string[] = [];
  if (subject.accountId) parts.push(`account ${subject.accountId}`);
  if (subject.tokenId) parts.push(`token ${subject.tokenId}`);
  if (subject.ip) parts.push(`address ${subject.ip}`);
  if (subject.country) parts.push(countryName(subject.country));
  if (subject.slo) parts.push(`SLO ${subject.slo}`);
  if (subject.series) parts.push(`series ${subject.series}`);
  if (subject.functionName) parts.push(`function ${subject.functionName}`);
  return parts.join(', ') || '—';
}
