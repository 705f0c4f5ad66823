import type { DailyReport, ReportRecommendation } from './types.ts';

const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)} %`);
const usd = (n: number | undefined) => (n === undefined ? '–' : `$${n.toFixed(n < 1 ? 4 : 2)}`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function recommendationMd(r: ReportRecommendation, i: number): string {
  return [
    `### ${i + 1}. ${r.title}`,
    '',
    r.rationale,
    '',
    ...r.evidence.map((e) => `- ${e.label}: ${e.value}`),
    '',
    `- Estimated monthly saving: ${usd(r.estimate.monthlySavingUsd)}${r.estimate.latencyGainMs !== undefined ? `; latency gain ${r.estimate.latencyGainMs} ms` : ''}`,
    `- Assumptions: ${r.estimate.assumptions.join('; ')}`,
    `- Risk: ${r.risk}`,
    `- Rollback: ${r.reversible ? 'yes' : 'no'}: ${r.reversibility}`,
    `- Change set: \`${JSON.stringify(r.changeSet.patch)}\`${r.changeSet.verification ? `, verified on ${r.changeSet.verification.metric} over ${r.changeSet.verification.windowMinutes} min` : ''}`,
  ].join('\n');
}

/** Whether the day saw any request: at the edge, at the access API or in a function. */
export function trafficRecorded(report: DailyReport): boolean {
  const { edgeLogs, apiAccessLog, lambdaReports } = report.inputs;
  return (edgeLogs?.read ?? 0) + (apiAccessLog?.read ?? 0) + (lambdaReports?.read ?? 0) > 0;
}

/** The report as Markdown: headline, recommendations, then each section's table. */
export function renderMarkdown(report: DailyReport): string {
  const c = report.cache;
  const parts = [
    `# Daily optimization report — ${report.day}`,
    '',
    `Generated ${report.generatedAt}. ${report.recommendations.length} recommendation(s), estimated saving ${usd(report.estimatedMonthlySavingUsd)} a month.`,
    '',
    ...(trafficRecorded(report)
      ? []
      : [
          `**No traffic on ${report.day}.** The edge, the access API and the functions recorded no request that day, so the traffic sections below are empty and nothing is recommended from traffic.`,
          '',
        ]),
    '## Recommendations',
    '',
    report.recommendations.length ? report.recommendations.map(recommendationMd).join('\n\n') : 'None today.',
    '',
    '## Cache behaviour',
    '',
    `${c.total.requests} requests, edge hit ratio ${pct(c.total.hitRatio)}, ${c.total.originFetches} origin fetches (${mb(c.total.originBytes)}).`,
    '',
    table(
      ['Behaviour', 'TTL', 'Requests', 'Hit ratio', 'Refresh', 'Origin fetches', 'Origin bytes', 'Bytes out'],
      c.behaviors.map((b) => [
        b.pattern,
        String(b.currentTtlSeconds ?? '–'),
        String(b.requests),
        pct(b.hitRatio),
        String(b.refreshHits),
        String(b.originFetches),
        mb(b.originBytes),
        mb(b.bytes),
      ]),
    ),
    '',
    table(
      ['Content type', 'Requests', 'Hit ratio', 'Origin bytes'],
      c.contentTypes.map((t) => [t.contentType, String(t.requests), pct(t.hitRatio), mb(t.originBytes)]),
    ),
    '',
    '## Storage classes',
    '',
    report.storage
      ? `${report.storage.objects} objects, ${mb(report.storage.bytes)}; break-even: Standard → Standard-IA below ${report.storage.breakEvenReadsPerMonth.standardToIa} reads/month, Standard-IA → Glacier IR below ${report.storage.breakEvenReadsPerMonth.iaToGlacierIr}.\n\n${table(
          ['Cheapest class for its reads', 'Objects', 'Bytes', 'Monthly'],
          report.storage.bestClass.map((r) => [
            r.storageClass,
            String(r.objects),
            mb(r.bytes),
            usd(r.monthlyUsd),
          ]),
        )}`
      : 'No object inventory.',
    '',
    '## Throttling',
    '',
    table(
      ['Route', 'Requests', 'Throttled', 'p99 / peak per s', 'Limit / burst'],
      report.routes.map((r) => [
        r.routeKey,
        String(r.requests),
        String(r.throttled),
        `${r.p99PerSecond} / ${r.peakPerSecond}`,
        `${r.rateLimit} / ${r.burstLimit}`,
      ]),
    ),
    '',
    '## Functions (right-sizing)',
    '',
    table(
      ['Function', 'Invocations', 'Memory', 'GB-s', 'p50 / p99 ms', 'Cold starts', 'Monthly'],
      report.functions.map((f) => [
        f.functionName,
        String(f.invocations),
        `${f.memoryMb} MB`,
        String(f.gbSeconds),
        `${f.p50Ms ?? '–'} / ${f.p99Ms ?? '–'}`,
        String(f.coldStarts),
        usd(f.monthlyUsd),
      ]),
    ),
    '',
    '## Cost',
    '',
    report.cost
      ? `Source: ${report.cost.source}, last ${report.cost.windowDays} days.\n\n${table(
          ['Service', 'Day', `${report.cost.windowDays} days`, 'Trend (7 d)', 'Anomaly'],
          report.cost.services.map((s) => [
            s.service,
            usd(s.day),
            usd(s.window),
            s.trendPct === null ? '–' : `${s.trendPct} %`,
            s.anomaly ? 'yes' : '',
          ]),
        )}`
      : 'No cost source.',
    '',
    `Inputs: ${Object.entries(report.inputs)
      .map(([k, v]) => `${k} ${v.read} read, ${v.skipped} skipped`)
      .join('; ')}.`,
    '',
  ];
  return parts.join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Bars (left axis) with an optional ratio line (0–1, right axis), as inline SVG. */
function barChart(title: string, bars: { label: string; value: number; ratio?: number | null }[]): string {
  const w = 720;
  const h = 180;
  const pad = 28;
  // The bars' own top (a local stack's cost is fractions of a cent a day); 1 only when every bar is zero.
  const top = Math.max(0, ...bars.map((b) => b.value));
  const max = top > 0 ? top : 1;
  const bw = bars.length ? (w - 2 * pad) / bars.length : 0;
  const rects = bars
    .map((b, i) => {
      const bh = ((h - 2 * pad) * b.value) / max;
      return `<rect x="${(pad + i * bw + 1).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#4c78a8"><title>${esc(b.label)}: ${b.value}</title></rect>`;
    })
    .join('');
  const points = bars
    .map((b, i) =>
      b.ratio == null
        ? null
        : `${(pad + (i + 0.5) * bw).toFixed(1)},${(h - pad - (h - 2 * pad) * b.ratio).toFixed(1)}`,
    )
    .filter((p) => p !== null);
  // One point (an hour of traffic) is a dot, not a line of none.
  const [x, y] = points.length === 1 ? (points[0] as string).split(',') : [];
  const line =
    points.length > 1
      ? `<polyline fill="none" stroke="#f58518" stroke-width="2" points="${points.join(' ')}"/>`
      : points.length === 1
        ? `<circle cx="${x}" cy="${y}" r="3" fill="#f58518"/>`
        : '';
  const first = bars[0]?.label ?? '';
  // A single bar is labelled once.
  const last = bars.length > 1 ? (bars.at(-1)?.label ?? '') : '';
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${w} ${h}" width="100%"><line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/>${rects}${line}<text x="${pad}" y="${h - 8}" font-size="11">${esc(first)}</text><text x="${w - pad}" y="${h - 8}" font-size="11" text-anchor="end">${esc(last)}</text><text x="${pad}" y="14" font-size="11">max ${Number(max.toPrecision(3))}</text></svg></figure>`;
}

/** Markdown tables to HTML, and the rest as paragraphs: the HTML report is the Markdown plus charts, no scripts. */
function markdownToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('| ')) {
      const rows: string[][] = [];
      while (i < lines.length && (lines[i] as string).startsWith('| ')) {
        const cells = (lines[i] as string)
          .slice(2, -2)
          .split(/(?<!\\) \| /)
          .map((c) => c.replace(/\\\|/g, '|'));
        if (!cells.every((c) => c === '---')) rows.push(cells);
        i++;
      }
      i--;
      const [head, ...body] = rows;
      out.push(
        `<table><thead><tr>${(head ?? []).map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
      );
    } else if (line.startsWith('### ')) out.push(`<h3>${esc(line.slice(4))}</h3>`);
    else if (line.startsWith('## ')) out.push(`<h2>${esc(line.slice(3))}</h2>`);
    else if (line.startsWith('# ')) out.push(`<h1>${esc(line.slice(2))}</h1>`);
    else if (line.startsWith('- '))
      out.push(`<li>${esc(line.slice(2)).replace(/`([^`]*)`/g, '<code>$1</code>')}</li>`);
    else if (line.trim() !== '') out.push(`<p>${esc(line)}</p>`);
  }
  return out.join('\n');
}

export function renderHtml(report: DailyReport): string {
  const hourly = barChart(
    'Requests per hour (bars) and edge hit ratio (line)',
    report.cache.hourly.map((h) => ({
      label: new Date(h.hourMs).toISOString().slice(11, 16),
      value: h.requests,
      ratio: h.hitRatio,
    })),
  );
  const cost = report.cost
    ? barChart(
        `Cost per day, ${report.cost.currency}`,
        report.cost.daily.map((d) => ({ label: d.date, value: Number(d.amount.toPrecision(3)) })),
      )
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Daily optimization report ${esc(report.day)}</title><style>body{font:14px system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}figure{margin:1em 0}</style></head><body>${hourly}${cost}${markdownToHtml(renderMarkdown(report))}</body></html>`;
}
