import type { IdentityVerifier } from '@boundless/delivery/identity';
import { Router } from 'express';
import { z } from 'zod';
import type {
  PrewarmDecisionLog,
  PrewarmDecisionRecord,
  PrewarmLoopStatus,
} from '../prewarm/decision-log.ts';
import { allow, parse } from './routes.ts';

const decisionsQuery = z.object({
  fn: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1440).default(200),
});

/** The body of `GET /api/prewarm/decisions` (the dashboard reads it with this type). */
export interface PrewarmDecisions {
  status: PrewarmLoopStatus;
  /** Newest first. */
  decisions: PrewarmDecisionRecord[];
  count: number;
}

/**
 * `GET /api/prewarm/decisions?fn=&limit=`: how the every-minute pre-warming loop is set up (mode, functions,
 * approved bounds) and its recent decisions, newest first; read as the Capacity view is (viewer).
 */
export function prewarmRoutes(deps: {
  verifier: IdentityVerifier;
  decisions: Pick<PrewarmDecisionLog, 'status' | 'list'>;
}): Router {
  const router = Router();
  router.get('/prewarm/decisions', allow(deps, 'viewer'), (req, res) => {
    const q = parse(decisionsQuery, req.query, 'query');
    const decisions = deps.decisions.list(q.fn, q.limit);
    const body: PrewarmDecisions = { status: deps.decisions.status(), decisions, count: decisions.length };
    res.json(body);
  });
  return router;
}
