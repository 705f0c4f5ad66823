import type { IdentityVerifier } from '@boundless/delivery/identity';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Operator } from '../service/auth.ts';
import { CopilotServiceError } from '../service/errors.ts';
import { allow, parse } from '../service/routes.ts';
import { IncidentError } from './errors.ts';
import type { IncidentService } from './service.ts';

/** The incident chat's REST routes, mounted under /api next to the copilot's own. */
const listQuery = z.object({ status: z.enum(['open', 'resolved']).optional() });
const openBody = z
  .object({
    findingId: z.string().min(1).max(200).optional(),
    title: z.string().trim().min(3).max(300).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    note: z.string().trim().max(1_000).optional(),
  })
  .strict()
  .refine((body) => body.findingId || body.title, 'send findingId (open from a finding) or title');
const askBody = z.object({ text: z.string().trim().min(1).max(4_000) }).strict();
const proposeBody = z.object({ note: z.string().trim().max(500).optional() }).strict();
const resolveBody = z.object({ resolution: z.string().trim().min(3).max(1_000) }).strict();
const proposalsQuery = z.object({ incidentId: z.string().min(1).optional() });

export const askInput = z.object({ incidentId: z.string().min(1).max(100), text: askBody.shape.text });

/** The service's errors in the API's stable codes. */
export function toServiceError(error: unknown): unknown {
  if (!(error instanceof IncidentError)) return error;
  return new CopilotServiceError(error.code, error.message, undefined, { cause: error });
}

const operatorOf = (res: Response) => res.locals.operator as Operator;

/** Express 5 passes a rejected handler to the error handler; this maps the service's errors on the way. */
function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch((e: unknown) => next(toServiceError(e)));
}

export function incidentRoutes(deps: { service: IncidentService; verifier: IdentityVerifier }): Router {
  const router = Router();
  const { service } = deps;
  const id = (req: Request) => String(req.params.id);

  router.get(
    '/incidents',
    allow(deps, 'viewer'),
    handle(async (req, res) => {
      const q = parse(listQuery, req.query, 'query');
      const incidents = await service.list(q.status);
      res.json({ incidents, count: incidents.length });
    }),
  );

  router.post(
    '/incidents',
    allow(deps, 'on_call'),
    handle(async (req, res) => {
      const body = parse(openBody, req.body, 'body');
      const result = await service.open(body, operatorOf(res).actor);
      res.status(result.created ? 201 : 200).json(result);
    }),
  );

  router.get(
    '/incidents/:id',
    allow(deps, 'viewer'),
    handle(async (req, res) => {
      res.json(await service.detail(id(req)));
    }),
  );

  // Answers stream to every socket as events; this request waits for the stored answer.
  router.post(
    '/incidents/:id/messages',
    allow(deps, 'on_call'),
    handle(async (req, res) => {
      const body = parse(askBody, req.body, 'body');
      const turn = await service.ask(id(req), body.text, operatorOf(res).actor);
      const answer = await turn.answer;
      res.json({ question: turn.question, ...answer });
    }),
  );

  router.get(
    '/incidents/:id/evidence/:citation',
    allow(deps, 'viewer'),
    handle(async (req, res) => {
      res.json(await service.evidence(id(req), String(req.params.citation)));
    }),
  );

  router.post(
    '/incidents/:id/suggestions/:suggestion/propose',
    allow(deps, 'on_call'),
    handle(async (req, res) => {
      const body = parse(proposeBody, req.body, 'body');
      const result = await service.propose(
        id(req),
        String(req.params.suggestion),
        operatorOf(res).actor,
        body.note,
      );
      res.status(result.created ? 201 : 200).json(result);
    }),
  );

  router.post(
    '/incidents/:id/resolve',
    allow(deps, 'on_call'),
    handle(async (req, res) => {
      const body = parse(resolveBody, req.body, 'body');
      res.json({ incident: await service.resolve(id(req), operatorOf(res).actor, body.resolution) });
    }),
  );

  router.get(
    '/proposals',
    allow(deps, 'viewer'),
    handle(async (req, res) => {
      const q = parse(proposalsQuery, req.query, 'query');
      const proposals = await service.proposals(q.incidentId);
      res.json({ proposals, count: proposals.length });
    }),
  );

  return router;
}
