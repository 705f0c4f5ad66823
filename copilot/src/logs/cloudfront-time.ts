/**
 * CloudFront standard-log time, shared by the string and byte readers of a line: the `date` field
 * (`YYYY-MM-DD`, UTC) is parsed once per change of date, the `time` field (`hh:mm:ss`) per line.
 */

/** Midnight UTC of a `date` field, or NaN when it is not `YYYY-MM-DD`. */
export function logDateMs(date: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
}

/** Milliseconds into the day of a `time` field's hours, minutes and seconds (-1 when not two digits), or NaN. */
export function logTimeOfDayMs(h: number, m: number, s: number): number {
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return Number.NaN;
  return ((h * 60 + m) * 60 + s) * 1000;
}
