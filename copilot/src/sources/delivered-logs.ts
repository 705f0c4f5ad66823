/**
 * Which CloudFront standard log files a source has already handed on. CloudFront names files
 * `<distribution>.YYYY-MM-DD-HH.<unique>.gz` with a random unique part, and delivers an hour's files over time,
 * so "everything after the last name read" would skip a later file whose unique part sorts lower. The ledger
 * instead remembers every file (and how many of its lines) of the last `lateHours` delivery hours; older hours
 * are treated as complete. Its JSON form is the source's checkpoint position.
 */
interface DeliveredLogPosition {
  /** Lines handed on per file name, for files of the hours still open. */
  files: Record<string, number>;
  /** Hours before this one (`YYYY-MM-DD-HH`) are complete. */
  since?: string;
}

const HOUR_OF_NAME = /\.(\d{4}-\d{2}-\d{2}-\d{2})\.[^/]+$/;

function deliveryHourOf(name: string): string | undefined {
  return HOUR_OF_NAME.exec(name)?.[1];
}

function hourToMs(hour: string): number {
  const [y, m, d, h] = hour.split('-').map(Number) as [number, number, number, number];
  return Date.UTC(y, m - 1, d, h);
}

function msToHour(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace('T', '-');
}

export class DeliveredLogLedger {
  private readonly files: Map<string, number>;
  private since: string | undefined;

  constructor(
    position: string | undefined,
    private readonly lateHours: number,
  ) {
    const parsed = position ? (JSON.parse(position) as DeliveredLogPosition) : { files: {} };
    this.files = new Map(Object.entries(parsed.files ?? {}));
    this.since = parsed.since;
  }

  /** The first delivery hour still open; files of earlier hours are not read again. */
  get openSince(): string | undefined {
    return this.since;
  }

  /** Whether a file should be read: its hour is still open (or nothing was read yet). */
  isOpen(name: string): boolean {
    const hour = deliveryHourOf(name);
    return hour !== undefined && (this.since === undefined || hour >= this.since);
  }

  /**
   * An S3 `StartAfter` that skips every closed hour: `<head><since>` sorts before the open hours' keys and after
   * the closed ones', when all files share one `<prefix><distribution>.` head (else undefined: list all).
   */
  listStartAfter(): string | undefined {
    if (this.since === undefined) return undefined;
    const heads = new Set<string>();
    for (const name of this.files.keys()) {
      const hour = deliveryHourOf(name);
      if (hour) heads.add(name.slice(0, name.lastIndexOf(`.${hour}.`) + 1));
    }
    return heads.size === 1 ? `${[...heads][0]}${this.since}` : undefined;
  }

  linesRead(name: string): number {
    return this.files.get(name) ?? 0;
  }

  record(name: string, lines: number): void {
    this.files.set(name, lines);
  }

  /** Closes hours older than `lateHours` before the newest one seen, forgetting their files. */
  toPosition(): string {
    const hours = [...this.files.keys()].map(deliveryHourOf).filter((h): h is string => h !== undefined);
    if (hours.length > 0) {
      const newest = hours.sort().at(-1) as string;
      const cutoff = msToHour(hourToMs(newest) - this.lateHours * 3_600_000);
      if (this.since === undefined || cutoff > this.since) this.since = cutoff;
      for (const name of this.files.keys()) {
        if ((deliveryHourOf(name) ?? '') < (this.since ?? '')) this.files.delete(name);
      }
    }
    return JSON.stringify({
      files: Object.fromEntries(this.files),
      since: this.since,
    } satisfies DeliveredLogPosition);
  }
}
