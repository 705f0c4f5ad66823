import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { deadline } from '../sources/aws-client.ts';
import { type ReportStore, reportSummary } from './report-files.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import type { DailyReport } from './types.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CONTENT_TYPES = {
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;

export interface S3ReportStoreOptions {
  bucket: string;
  /** Key prefix of the reports. @default 'reports/' */
  prefix?: string;
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
}

/**
 * The daily reports in S3 (the copilot in AWS): `<prefix><day>.json|md|html`, the layout `ReportFiles` keeps
 * on disk. The report task writes; the service lists and reads them for the dashboard. The JSON goes last, so
 * a report listed (by its JSON) always has its Markdown and HTML beside it.
 */
export class S3ReportStore implements ReportStore {
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    private readonly options: S3ReportStoreOptions,
  ) {
    this.prefix = options.prefix ?? 'reports/';
  }

  async write(report: DailyReport): Promise<{ json: string; md: string; html: string }> {
    const bodies = {
      md: renderMarkdown(report),
      html: renderHtml(report),
      json: `${JSON.stringify(report, null, 2)}\n`,
    };
    const uris = { json: '', md: '', html: '' };
    for (const format of ['md', 'html', 'json'] as const) {
      const key = `${this.prefix}${report.day}.${format}`;
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: bodies[format],
          ContentType: CONTENT_TYPES[format],
        }),
        deadline(this.options.timeoutMs),
      );
      uris[format] = `s3://${this.options.bucket}/${key}`;
    }
    return uris;
  }

  async list() {
    const days: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.prefix,
          ContinuationToken: token,
        }),
        deadline(this.options.timeoutMs),
      );
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(this.prefix.length);
        if (name.endsWith('.json') && DAY.test(name.slice(0, -5))) days.push(name.slice(0, -5));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const out = [];
    for (const day of days.sort()) {
      const text = await this.read(day, 'json');
      // Deleted between the listing and the read: not a report any more.
      if (text === undefined) continue;
      out.push(reportSummary(day, text));
    }
    return out;
  }

  async read(day: string, format: 'json' | 'md' | 'html'): Promise<string | undefined> {
    if (!DAY.test(day)) return undefined;
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: `${this.prefix}${day}.${format}` }),
        deadline(this.options.timeoutMs),
      );
      return (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}
