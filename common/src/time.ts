/**
 * Times as the command line's input files and options write them, read the same on every machine: a time
 * without a zone is UTC, never the local zone of whoever runs the command (Date.parse would read
 * `2014-02-14 14:30:00` and `2014-02-14T14:30` in the machine's zone, so the same file would plan or score
 * differently in another time zone).
 */

/** Milliseconds in a minute, an hour and a day of event time (UTC: no day here has a leap second). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const ZONE = /(?:[zZ]|[+-]\d\d:?\d\d)$/;
const DATE_FIRST = /^\d{4}-\d\d-\d\d/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Unix milliseconds of an ISO-8601 time (`2014-02-14T14:30:00Z`, `...+01:00`), the same with a space for the
 * `T` or without a zone (read as UTC, as NAB and CloudWatch exports write them), a date alone (its UTC
 * midnight), or another form with a day and a four-digit year (below); NaN for anything else.
 */
export function parseUtcTime(text: string): number {
  const trimmed = text.trim();
  if (!DATE_FIRST.test(trimmed)) return otherForm(trimmed);
  const iso = trimmed.includes('T') ? trimmed : trimmed.replace(' ', 'T');
  return Date.parse(ZONE.test(iso) || !iso.includes('T') ? iso : `${iso}Z`);
}

const NAMED_ZONE = /(?:\b(?:GMT|UTC|Z)|[+-]\d\d:?\d\d)$/i;
const HAS_DAY_AND_YEAR = /\d.*\d{4}|\d{4}.*\d/;

/**
 * The other forms exports write, such as RFC 2822 (`Sat, 01 Jul 1995 00:00:04 GMT`) or `07/01/1995 00:00`: an
 * explicit zone is kept and none is UTC, as for ISO-8601. Text without a day and a four-digit year is refused
 * (`Date.parse` would otherwise find a date in almost anything).
 */
function otherForm(text: string): number {
  if (!HAS_DAY_AND_YEAR.test(text)) return Number.NaN;
  return Date.parse(NAMED_ZONE.test(text) ? text : `${text} UTC`);
}

/**
 * {@link parseUtcTime}, or a unix time as a number: seconds below 1e11 (until the year 5138), milliseconds
 * above, as series exports write either.
 */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) {
    const number = Number(trimmed);
    return Math.abs(number) < 1e11 ? number * 1000 : number;
  }
  return parseUtcTime(trimmed);
}
