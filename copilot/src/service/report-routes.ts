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

/** `GET /api/reports` (newest first) and `GET /api/reports/:day?format=json|md|html`. */
export function reportRoutes(deps: { verifier: IdentityVerifier; reports: ReportReader }): Router {
  const router = Router();
  router.get('/reports', allow(deps, 'viewer'), async (_req, res) => {
    const reports = (await deps.reports.list()).sort((a, b) => b.day.localeCompare(a.day));
    const body: ReportList = { reports, count: reports.length };
    res.json(body);
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
