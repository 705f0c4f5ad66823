import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFile } from '@boundless/common/files';
import type { ReportReader } from '../service/report-routes.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import type { DailyReport } from './types.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Where daily reports are stored and read back: files locally (`ReportFiles`), S3 in AWS (`S3ReportStore`). */
export interface ReportStore extends ReportReader {
  /** Stores the JSON, Markdown and HTML renderings; returns where each went (paths or `s3://` URIs). */
  write(report: DailyReport): Promise<{ json: string; md: string; html: string }>;
}

/** Reports stored as `<dir>/<day>.json|md|html` (locally the data dir; the S3 bucket mirrors this layout). */
export class ReportFiles implements ReportStore {
  constructor(private readonly dir: string) {}

  /** Writes the three renderings (each atomically: a reader never sees half a report). */
  async write(report: DailyReport): Promise<{ json: string; md: string; html: string }> {
    await mkdir(this.dir, { recursive: true });
    const bodies = {
      json: `${JSON.stringify(report, null, 2)}\n`,
      md: renderMarkdown(report),
      html: renderHtml(report),
    };
    const paths = { json: '', md: '', html: '' };
    for (const format of ['json', 'md', 'html'] as const) {
      const path = join(this.dir, `${report.day}.${format}`);
      // Whole, and by a name of its own: the schedule's run and one asked for from the Reports page (or `boundless
      // report` in another process) may write the same day at once.
      await replaceFile(path, bodies[format]);
      paths[format] = path;
    }
    return paths;
  }

  async list() {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const days = names
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .filter((d) => DAY.test(d));
    const out = [];
    for (const day of days) {
      out.push(reportSummary(day, await readFile(join(this.dir, `${day}.json`), 'utf8')));
    }
    return out;
  }

  async read(day: string, format: 'json' | 'md' | 'html') {
    if (!DAY.test(day)) return undefined;
    try {
      return await readFile(join(this.dir, `${day}.${format}`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** A stored report's line in the list, from its JSON rendering. */
export function reportSummary(day: string, json: string) {
  const report = JSON.parse(json) as DailyReport;
  return {
    day,
    generatedAt: report.generatedAt,
    recommendations: report.recommendations.length,
    estimatedMonthlySavingUsd: report.estimatedMonthlySavingUsd,
  };
}
