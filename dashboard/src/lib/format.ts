/** Formatting for people: every number on the dashboard goes through one of these. */

const NBSP = '\u00a0';

/** 0.99953 → "99.953 %": as many decimals as the value needs to differ from 100 %, at most `max`. */
export function formatPercent(fraction: number | null | undefined, max = 3): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  let digits = 1;
  while (digits < max && pct < 100 && Number(pct.toFixed(digits)) === 100) digits++;
  return `${pct.toFixed(digits)}${NBSP}%`;
}

/** Error budget left: may go negative once overspent. */
export function formatBudget(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)}${NBSP}%`;
}

export function formatBurnRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  if (rate === 0) return '0×';
  if (rate < 10) return `${rate.toFixed(2)}×`;
  return `${rate.toFixed(1)}×`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)}${NBSP}ms`;
  if (ms < 1000) return `${Math.round(ms)}${NBSP}ms`;
  return `${(ms / 1000).toFixed(2)}${NBSP}s`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  // Axis ticks between whole counts (0.5 requests) keep their decimal instead of repeating a rounded label.
  if (!Number.isInteger(n) && Math.abs(n) < 10) return n.toFixed(1);
  if (Math.abs(n) < 10_000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) < 1e6) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(2)}M`;
}

export function formatMoney(amount: number | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  const digits = Math.abs(amount) > 0 && Math.abs(amount) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount);
}

/** Seconds left as "1 h 02 min", "4 min 05 s", "42 s"; "expired" at or below zero. */
export function formatCountdown(msLeft: number): string {
  if (!(msLeft > 0)) return 'expired';
  const total = Math.ceil(msLeft / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}${NBSP}h ${pad(m)}${NBSP}min ${pad(s)}${NBSP}s`;
  if (m > 0) return `${m}${NBSP}min ${pad(s)}${NBSP}s`;
  return `${s}${NBSP}s`;
}

/** "3 min ago", "in 2 h"; absolute when over a day away. */
export function formatRelative(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const diff = t - nowMs;
  const abs = Math.abs(diff);
  const unit =
    abs < 60_000
      ? `${Math.round(abs / 1000)}${NBSP}s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)}${NBSP}min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)}${NBSP}h`
          : null;
  if (unit === null) return formatTime(iso);
  if (abs < 1000) return 'just now';
  return diff < 0 ? `${unit} ago` : `in ${unit}`;
}

/**
 * Date and time to the second, 24-hour UTC with the zone shown: the clock of the copilot's logs, reports, command
 * line and incident channel, so a time read here can be pasted there unchanged, whatever the browser's zone.
 */
export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return TIME.format(d);
}

/** ISO-8601 instants inside a sentence the service wrote (a decision's detail), read on the page's one clock. */
export function formatTimesIn(text: string): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (iso) => formatTime(iso));
}

const TIME = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
  timeZoneName: 'short',
});
const AXIS_CLOCK = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});
const AXIS_DAY = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', timeZone: 'UTC' });

const AXIS_SECONDS = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/**
 * A chart's time tick in the same 24-hour UTC clock as `formatTime`, as short as the chart's span and the ticks'
 * spacing (`stepMs`) allow while telling ticks apart: the day alone ("05 Dec") when ticks are whole days apart,
 * the clock alone ("14:05") within a day, both ("05 Dec 14:05") otherwise; the seconds too ("14:05:10") when
 * ticks are less than a minute apart.
 */
export function formatAxisTime(ms: number, spanMs: number, stepMs: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  if (stepMs >= DAY_MS) return AXIS_DAY.format(d);
  const clock = stepMs < MINUTE_MS ? AXIS_SECONDS.format(d) : AXIS_CLOCK.format(d);
  return spanMs < DAY_MS ? clock : `${AXIS_DAY.format(d)} ${clock}`;
}

/** Labels for a chart's time ticks (Unix seconds, as uPlot hands them over), read at their closest spacing. */
export function formatAxisTimes(splitsSec: readonly number[], spanMs: number): string[] {
  let stepMs = spanMs;
  for (let i = 1; i < splitsSec.length; i++)
    stepMs = Math.min(stepMs, (splitsSec[i]! - splitsSec[i - 1]!) * 1000);
  return splitsSec.map((s) => formatAxisTime(s * 1000, spanMs, stepMs));
}

/** Tick spacings (seconds) for charts of per-day series: whole days and more. */
export const DAY_TICKS = [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400];

/**
 * Tick spacings (seconds) for charts of per-minute series: whole minutes and more, so that a chart of a few
 * minutes' data ticks once a minute instead of every few seconds between its points.
 */
export const MINUTE_TICKS = [
  60,
  120,
  300,
  600,
  900,
  1800,
  3600,
  7200,
  10_800,
  21_600,
  43_200,
  86_400,
  2 * 86_400,
  7 * 86_400,
  14 * 86_400,
  28 * 86_400,
];

const MINUTE_MS = 60_000;

/** Tick spacings for an axis of counts (invocations, environments, cold starts): whole numbers only. */
export const COUNT_TICKS = Array.from({ length: 10 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();
const DAY_MS = 86_400_000;

/** `titlesLast10Minutes` → "Titles last 10 minutes"; `impossible_travel` → "Impossible travel". */
export function humanize(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Role names as people say them. */
export function formatRole(role: string): string {
  return role.replace('_', '-');
}
