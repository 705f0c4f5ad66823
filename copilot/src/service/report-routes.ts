import type { IdentityVerifier } from '@boundless/delivery/identity';
import { Router } from 'express';
import { z } from 'zod';
import { CopilotServiceError } from './errors.ts';
import { allow, parse } from './routes.ts';

/** One stored report as `GET /api/reports` lists it. */
export interface ReportSummary {
  day: string;
  generatedAt: string;
  recommendations: number;
  estimatedMonthlySavingUsd: number;
}

/** The body of `GET /api/reports`: newest first. */
export interface ReportList {
  reports: ReportSummary[];
  count: number;
  /** Whether an on-call engineer may run a day's report now (`POST /api/reports/run`). */
  canRun: boolean;
}

/**
 * Runs and stores a day's report now, as the daily schedule would (the local stack's scheduler, with its cost
 * model); a deployment whose reports come from a scheduled function has none.
 */
export interface ReportRunner {
  run(day: string): Promise<ReportSummary>;
}

/** The stored daily reports as the service reads them (files locally, S3 in AWS). */
export interface ReportReader {
  list(): Promise<ReportSummary[]>;
  read(day: string, format: 'json' | 'md' | 'html'): Promise<string | undefined>;
}

const dayParams = z.object({ day: z.iso.date() });
const formatQuery = z.object({ format: z.enum(['json', 'md', 'html']).default('json') });
const CONTENT_TYPES = {
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const runBody = z.object({ day: z.iso.date().optional() }).strict();

/**
 * `GET /api/reports` (newest first), `GET /api/reports/:day?format=json|md|html`, and with a runner `POST
 * /api/reports/run` `{ day? }` (on call; today so far by default, or yesterday; one run on request at a time).
 */
export function reportRoutes(deps: {
  verifier: IdentityVerifier;
  reports: ReportReader;
  runner?: ReportRunner;
  clock?: () => number;
}): Router {
  const router = Router();
  const clock = deps.clock ?? Date.now;
  let running: string | undefined;
  router.get('/reports', allow(deps, 'viewer'), async (_req, res) => {
    const reports = (await deps.reports.list()).sort((a, b) => b.day.localeCompare(a.day));
    const body: ReportList = { reports, count: reports.length, canRun: deps.runner !== undefined };
    res.json(body);
  });
  router.post('/reports/run', allow(deps, 'on_call'), async (req, res) => {
    if (!deps.runner)
      throw new CopilotServiceError(
        'no_report_runner',
        'reports are written on a schedule here: none can be run now',
      );
    const now = clock();
    const today = new Date(now).toISOString().slice(0, 10);
    const yesterday = new Date(now - 86_400_000).toISOString().slice(0, 10);
    const day = parse(runBody, req.body ?? {}, 'body').day ?? today;
    // Today so far, or yesterday again (the schedule's day): an older report stays as it was published, since
    // a change set may point at it and today's tunables and costs would rewrite it.
    if (day !== today && day !== yesterday)
      throw new CopilotServiceError(
        'validation_failed',
        `a report can be run for today (${today}) or yesterday (${yesterday}), not ${day}`,
      );
    if (running !== undefined)
      throw new CopilotServiceError('report_in_progress', `the report for ${running} is being written`);
    running = day;
    try {
      // A failure reaches the error handler: logged with its cause, answered without the internals.
      res.status(201).json(await deps.runner.run(day));
    } finally {
      running = undefined;
    }
  });
  router.get('/reports/:day', allow(deps, 'viewer'), async (req, res) => {
    const { day } = parse(dayParams, req.params, 'path');
    const { format } = parse(formatQuery, req.query, 'query');
    const body = await deps.reports.read(day, format);
    if (body === undefined) throw new CopilotServiceError('not_found', `no report for ${day}`);
    // The HTML report is self-contained (inline SVG charts, no scripts): nothing else may load into it.
    if (format === 'html')
      res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type(CONTENT_TYPES[format]).send(body);
  });
  return router;
}
