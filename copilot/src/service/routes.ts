import type { IdentityVerifier } from '@boundless/delivery/identity';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { FINDING_KINDS } from '../findings.ts';
import type { CopilotPipeline } from '../pipeline/pipeline.ts';
import type { CopilotStore } from '../state/copilot-store.ts';
import { acknowledgeFinding } from './acknowledge.ts';
import { authenticate, type Operator, type OperatorRole, requireRole } from './auth.ts';
import { CopilotServiceError } from './errors.ts';
import type { Broadcast } from './events.ts';
import { endFeedback, markFalsePositive } from './false-positive.ts';
import { isSecure, presentedToken, sameOrigin } from './session.ts';

export interface RouteDeps {
  store: CopilotStore;
  pipeline: CopilotPipeline;
  verifier: IdentityVerifier;
  clock: () => number;
  broadcast: Broadcast;
}

const MITIGATION_STATUSES = ['active', 'dry_run', 'failed', 'expired', 'rolled_back'] as const;

const findingsQuery = z.object({
  kind: z.enum(FINDING_KINDS).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const mitigationsQuery = z.object({ status: z.enum(MITIGATION_STATUSES).optional() });
const auditQuery = z.object({ day: z.iso.date() });
const rollbackBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();
const falsePositiveBody = z
  .object({
    reason: z.string().trim().min(3).max(500),
    remedy: z.enum(['suppress', 'allow_list']).default('suppress'),
    suppressHours: z.number().positive().max(168).default(24),
  })
  .strict();
const acknowledgeBody = z.object({ note: z.string().trim().max(500).default('') }).strict();
const guardrailsBody = z
  .object({ dryRun: z.boolean(), maxActionsPerHour: z.number().int().min(0).max(10_000) })
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'send dryRun and/or maxActionsPerHour');

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ path: i.path.join('.') || where, message: i.message }));
  throw new CopilotServiceError('validation_failed', `invalid ${where}`, { problems });
}

const operatorOf = (res: Response) => res.locals.operator as Operator;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authenticates an /api request (bearer token or the dashboard's session cookie) and requires `role`. A write
 * that rides on the cookie must come from our own origin: the cookie is SameSite=Strict already, this is the
 * second lock.
 */
export function allow(deps: Pick<RouteDeps, 'verifier'>, role: OperatorRole) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const presented = presentedToken(req.headers);
    if (!presented)
      throw new CopilotServiceError('unauthorized', 'sign in, or send Authorization: Bearer <JWT>');
    if (presented.via === 'cookie' && UNSAFE.has(req.method) && !sameOrigin(req.headers, isSecure(req)))
      throw new CopilotServiceError(
        'cross_site',
        'a change with the session cookie must come from the dashboard',
      );
    const operator = await authenticate(deps.verifier, presented.token);
    requireRole(operator, role);
    res.locals.operator = operator;
    next();
  };
}

/** Findings, mitigations, feedback, guardrails and the audit trail. */
export function apiRoutes(deps: RouteDeps): Router {
  const router = Router();
  const { store, pipeline, broadcast } = deps;
  const nowIso = () => new Date(deps.clock()).toISOString();

  router.get('/findings', allow(deps, 'viewer'), async (req, res) => {
    const q = parse(findingsQuery, req.query, 'query');
    // Kind is not part of the key: read a wider page so the filter still fills `limit`.
    const page = await store.listFindings(q.kind ? 1000 : q.limit, q.since ?? '');
    const findings = page.filter((f) => !q.kind || f.kind === q.kind).slice(0, q.limit);
    res.json({ findings, count: findings.length });
  });

  router.post('/findings/:id/acknowledge', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(acknowledgeBody, req.body, 'body');
    const ack = await acknowledgeFinding(store, {
      findingId: String(req.params.id),
      actor: operatorOf(res).actor,
      note: body.note,
      at: nowIso(),
    });
    broadcast('finding.acknowledged', ack);
    res.json({ acknowledged: ack });
  });

  router.get('/mitigations', allow(deps, 'viewer'), async (req, res) => {
    const q = parse(mitigationsQuery, req.query, 'query');
    const mitigations = (await store.listMitigations(q.status)).sort((a, b) =>
      b.decidedAt.localeCompare(a.decidedAt),
    );
    res.json({ mitigations, count: mitigations.length });
  });

  router.post('/mitigations/:id/rollback', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(rollbackBody, req.body, 'body');
    const id = String(req.params.id);
    const before = await store.getMitigation(id);
    if (!before) throw new CopilotServiceError('not_found', `no mitigation ${id}`);
    if (before.status !== 'active')
      throw new CopilotServiceError('not_active', `mitigation ${id} is ${before.status}, not active`, {
        status: before.status,
      });
    const after = await pipeline.engine
      .rollback(id, operatorOf(res).actor, body.reason, nowIso())
      .catch((error: unknown) => {
        throw new CopilotServiceError(
          'port_failed',
          `the delivery core did not lift ${id}: ${(error as Error).message}`,
          undefined,
          { cause: error },
        );
      });
    res.json({ mitigation: after });
  });

  router.post('/mitigations/:id/false-positive', allow(deps, 'on_call'), async (req, res) => {
    const body = parse(falsePositiveBody, req.body, 'body');
    const result = await markFalsePositive(
      { store, pipeline },
      { mitigationId: String(req.params.id), operator: operatorOf(res), ...body, at: nowIso() },
    );
    broadcast('feedback.recorded', result.rule);
    if (body.remedy === 'allow_list')
      broadcast('guardrails.changed', {
        guardrails: pipeline.guardrails,
        actor: operatorOf(res).actor,
        at: nowIso(),
      });
    res.json(result);
  });

  router.get('/feedback', allow(deps, 'viewer'), async (_req, res) => {
    const rules = (await store.listFeedback()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    res.json({ feedback: rules, count: rules.length });
  });

  router.post('/feedback/:id/end', allow(deps, 'on_call'), async (req, res) => {
    const rule = await endFeedback(
      { store, pipeline },
      { id: String(req.params.id), actor: operatorOf(res).actor, at: nowIso() },
    );
    broadcast('feedback.ended', rule);
    res.json({ feedback: rule });
  });

  router.get('/audit', allow(deps, 'viewer'), async (req, res) => {
    const q = parse(auditQuery, req.query, 'query');
    const entries = await store.listAudit(q.day);
    res.json({ day: q.day, entries, count: entries.length });
  });

  router.get('/guardrails', allow(deps, 'viewer'), (_req, res) => {
    res.json({ guardrails: pipeline.guardrails });
  });

  // Persisted, so a restart keeps what the owner chose; audited with the values before and after.
  router.put('/guardrails', allow(deps, 'owner'), async (req, res) => {
    const change = parse(guardrailsBody, req.body, 'body');
    const before = {
      dryRun: pipeline.guardrails.dryRun,
      maxActionsPerHour: pipeline.guardrails.maxActionsPerHour,
    };
    const at = nowIso();
    Object.assign(pipeline.guardrails, change);
    await store.saveGuardrails(pipeline.guardrails, at);
    await store.appendAudit({
      at,
      actor: operatorOf(res).actor,
      action: 'guardrails:changed',
      subject: 'guardrails',
      detail: { before, after: change },
    });
    broadcast('guardrails.changed', { guardrails: pipeline.guardrails, actor: operatorOf(res).actor, at });
    res.json({ guardrails: pipeline.guardrails });
  });

  return router;
}
