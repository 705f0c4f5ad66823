import type { LogRecord } from '../telemetry/types.ts';
import type { Evidence } from './types.ts';

/** Log events as citations: the event's group, id and time, and the human part of its line. */
const excerptOf = (text: string) => (text.length > 240 ? `${text.slice(0, 237)}...` : text);

export function logEvidence(record: LogRecord): Evidence {
  return {
    kind: 'log',
    ref: { group: record.group, eventId: record.id, timestamp: new Date(record.timestampMs).toISOString() },
    excerpt: excerptOf(
      record.text === record.labels
        ? record.message
        : record.errorMessage && !record.text.includes(record.errorMessage)
          ? `${record.text}: ${record.errorMessage}`
          : record.text,
    ),
  };
}

/** A few events spread over the matching ones: the first, the last, and some between. */
export function pickEvidence(records: LogRecord[], limit = 4): Evidence[] {
  if (records.length <= limit) return records.map(logEvidence);
  const picks = new Set<number>();
  for (let k = 0; k < limit; k++) picks.add(Math.round((k * (records.length - 1)) / (limit - 1)));
  return [...picks].map((i) => logEvidence(records[i]!));
}
