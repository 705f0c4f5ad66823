import { Router } from 'express';
import { z } from 'zod';
import type { CopilotPipeline } from '../pipeline/pipeline.ts';
import { CopilotServiceError } from './errors.ts';
import { allow, parse, type RouteDeps } from './routes.ts';

const HOUR_MS = 3_600_000;

/** `from`/`to` as ISO times; by default the last `defaultHours` up to the pipeline's event time (or now). */
const rangeQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

function rangeOf(query: unknown, pipeline: CopilotPipeline, clock: () => number, defaultHours: number) {
  const q = parse(rangeQuery, query, 'query');
  const watermark = pipeline.counters.watermark ? Date.parse(pipeline.counters.watermark) : clock();
  const toMs = q.to ? Date.parse(q.to) : Math.max(watermark, clock()) + 60_000;
  const fromMs = q.from ? Date.parse(q.from) : toMs - defaultHours * HOUR_MS;
  if (!(fromMs < toMs)) throw new CopilotServiceError('validation_failed', 'from must be before to');
  if (toMs - fromMs > 31 * 24 * HOUR_MS)
    throw new CopilotServiceError('validation_failed', 'a range may span 31 days at most');
  return { fromMs, toMs };
}

/**
 * SLOs, sources and the operational views: overview, capacity, cost. `prewarmLead`: the running pre-warming loop's
 * lead, so that the Capacity view plans and forecasts as far ahead as the loop that acts does (10 minutes, as
 * scheduled provisioned concurrency needs, when no loop runs).
 */
export function opsRoutes(deps: RouteDeps, prewarmLead: () => number | undefined = () => undefined): Router {
  const router = Router();
  const { pipeline, clock } = deps;

  router.get('/slo', allow(deps, 'viewer'), (_req, res) => {
    res.json(pipeline.sloSnapshot());
  });

  router.get('/slo/:id/history', allow(deps, 'viewer'), (req, res) => {
    const range = rangeOf(req.query, pipeline, clock, 6);
    const id = String(req.params.id);
    if (!pipeline.sloSnapshot().slos.some((s) => s.id === id))
      throw new CopilotServiceError('not_found', `no SLO ${id}`);
    res.json(pipeline.sloHistory(id, range));
  });

  router.get('/sources', allow(deps, 'viewer'), async (_req, res) => {
    res.json({ sources: await pipeline.sourceStatuses(), pipeline: pipeline.counters });
  });

  // Each view names the counts it was computed from, taken before computing it (so never newer than the view).
  router.get('/overview', allow(deps, 'viewer'), async (req, res) => {
    const ops = pipeline.ops.stamp();
    const range = rangeOf(req.query, pipeline, clock, 1);
    const source = pipeline.ops.costSource;
    let today: number | null = null;
    let currency = 'USD';
    if (source) {
      const view = await pipeline.ops.cost(1, clock());
      const last = view?.days.at(-1);
      today = last?.total ?? null;
      currency = view?.currency ?? currency;
    }
    res.json({ ...pipeline.ops.overview(range, { today, currency, source: source?.kind ?? 'none' }), ops });
  });

  router.get('/capacity', allow(deps, 'viewer'), (req, res) => {
    const ops = pipeline.ops.stamp();
    const leadMinutes = prewarmLead();
    const range = rangeOf(req.query, pipeline, clock, 1);
    res.json({
      ...pipeline.ops.capacity(leadMinutes === undefined ? range : { ...range, leadMinutes }),
      ops,
    });
  });

  router.get('/cost', allow(deps, 'viewer'), async (req, res) => {
    const q = parse(
      z.object({ days: z.coerce.number().int().min(1).max(92).default(14) }),
      req.query,
      'query',
    );
    const ops = pipeline.ops.stamp();
    const view = await pipeline.ops.cost(q.days, clock());
    if (!view) throw new CopilotServiceError('no_cost_source', 'no cost source is configured');
    res.json({ ...view, ops });
  });

  return router;
}
