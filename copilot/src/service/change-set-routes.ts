import type { IdentityVerifier } from '@boundless/delivery/identity';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { ChangeSetError, type ChangeSetErrorCode } from '../changes/errors.ts';
import type { ChangeSetService } from '../changes/service.ts';
import type { Recommendation } from '../changes/types.ts';
import { verifyChain } from '../changes/store.ts';
import type { Operator } from './auth.ts';
import { allow, parse } from './routes.ts';

const STATUSES = [
  'proposed',
  'approved',
  'rejected',
  'applied',
  'verified',
  'rolled_back',
  'failed',
] as const;
const listQuery = z.object({ status: z.enum(STATUSES).optional() });
// RFC 6902 operations the documents take; `remove` carries no value.
const patchOp = z.discriminatedUnion('op', [
  z
    .object({ op: z.enum(['add', 'replace', 'test']), path: z.string().startsWith('/'), value: z.unknown() })
    .strict(),
  z.object({ op: z.literal('remove'), path: z.string().startsWith('/') }).strict(),
]);
const proposeBody = z
  .object({
    document: z.string().min(1).max(64),
    patch: z.array(patchOp).min(1).max(200).optional(),
    after: z.record(z.string(), z.unknown()).optional(),
    title: z.string().trim().min(3).max(200),
    rationale: z.string().trim().min(3).max(4000),
    origin: z
      .object({
        kind: z.enum(['report', 'prewarm', 'mitigation_policy', 'incident', 'manual']),
        ref: z.string().max(200).optional(),
      })
      .strict()
      .optional(),
    recommendation: z
      .object({
        evidence: z
          .array(
            z.object({
              label: z.string().max(200),
              value: z.string().max(500),
              ref: z.record(z.string(), z.unknown()).optional(),
            }),
          )
          .max(50),
        estimate: z.object({
          monthlySavingUsd: z.number().optional(),
          latencyGainMs: z.number().optional(),
          metric: z
            .object({ name: z.string(), unit: z.string(), before: z.number(), expected: z.number() })
            .optional(),
          assumptions: z.array(z.string().max(500)).max(20),
        }),
        risk: z.string().max(1000),
        reversible: z.boolean(),
        reversibility: z.string().max(1000),
      })
      .optional(),
    verification: z
      .object({
        metric: z.string().min(1).max(100),
        scope: z.record(z.string(), z.string()).default({}),
        windowMinutes: z
          .number()
          .positive()
          .max(7 * 24 * 60),
        direction: z.enum(['increase', 'decrease']),
        expected: z.number().optional(),
        guardSlos: z.array(z.string()).max(20).default([]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => (b.patch === undefined) !== (b.after === undefined), 'send either patch or after');
const noteBody = z.object({ note: z.string().trim().max(500).optional() }).strict();
const reasonBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

/** HTTP statuses of the flow's refusals; the code itself is the contract the dashboard reads. */
const STATUS: Record<ChangeSetErrorCode, number> = {
  invalid_patch: 400,
  invalid_document: 400,
  no_change: 400,
  unknown_document: 404,
  not_found: 404,
  wrong_status: 409,
  self_approval: 403,
  copilot_cannot_approve: 403,
  owner_required: 403,
  forbidden: 403,
  stale_plan: 409,
  plan_changed: 409,
  approval_expired: 409,
  approval_mismatch: 409,
  conflict: 409,
  window_open: 409,
  apply_failed: 502,
  rollback_failed: 502,
  unsupported_action: 422,
  not_configured: 501,
};

export interface ChangeSetRouteDeps {
  verifier: IdentityVerifier;
  changeSets: ChangeSetService;
}

const operatorOf = (res: Response) => res.locals.operator as Operator;
const id = (req: Request) => String(req.params.id);

/** The change-set flow over REST: list, read (with the audit chain), propose, approve, reject, apply, verify, roll back. */
export function changeSetRoutes(deps: ChangeSetRouteDeps): Router {
  const router = Router();
  const { changeSets } = deps;

  router.get('/change-sets', allow(deps, 'viewer'), async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    const list = await changeSets.list(q.status ? { status: q.status } : {});
    res.json({ changeSets: list, count: list.length });
  });

  router.get('/change-sets/:id', allow(deps, 'viewer'), async (req, res) => {
    const changeSet = await changeSets.get(id(req));
    const audit = await changeSets.audit(changeSet.id);
    res.json({ changeSet, audit, auditIntact: verifyChain(audit).ok });
  });

  router.post('/change-sets', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(proposeBody, req.body, 'body');
    const changeSet = await changeSets.propose({
      document: body.document,
      ...(body.patch ? { patch: body.patch as never } : { after: body.after }),
      title: body.title,
      rationale: body.rationale,
      // The proposer is whoever sends it; where it came from (a report's recommendation, ...) is recorded too.
      origin: body.origin
        ? { kind: body.origin.kind, ...(body.origin.ref ? { ref: body.origin.ref } : {}) }
        : { kind: 'manual' },
      ...(body.recommendation ? { recommendation: body.recommendation as Recommendation } : {}),
      proposedBy: operatorOf(res).actor,
      ...(body.verification ? { verification: body.verification } : {}),
    });
    res.status(201).json({ changeSet });
  });

  router.post('/change-sets/:id/approve', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(noteBody, req.body, 'body');
    res.json({ changeSet: await changeSets.approve(id(req), operatorOf(res), body.note) });
  });

  router.post('/change-sets/:id/reject', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(reasonBody, req.body, 'body');
    res.json({ changeSet: await changeSets.reject(id(req), operatorOf(res), body.reason) });
  });

  router.post('/change-sets/:id/apply', allow(deps, 'on_call'), async (req, res) => {
    res.json({ changeSet: await changeSets.apply(id(req), operatorOf(res)) });
  });

  router.post('/change-sets/:id/verify', allow(deps, 'on_call'), async (req, res) => {
    res.json({ changeSet: await changeSets.verify(id(req), operatorOf(res)) });
  });

  router.post('/change-sets/:id/rollback', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(reasonBody, req.body, 'body');
    res.json({ changeSet: await changeSets.rollback(id(req), operatorOf(res), body.reason) });
  });

  router.get('/documents/:name', allow(deps, 'viewer'), async (req, res) => {
    const name = String(req.params.name);
    res.json({ document: name, ...(await changeSets.read(name)) });
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof ChangeSetError)) return next(error);
    res.status(STATUS[error.code]).json({
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
    });
  });
  return router;
}
