import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createIdentityVerifier,
  type IdentitySettings,
  type IdentityVerifier,
} from '@boundless/delivery/identity';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Server as SocketServer } from 'socket.io';
import type { CopilotPipeline } from '../pipeline/pipeline.ts';
import type { CopilotStore } from '../state/copilot-store.ts';
import { authenticate, OPERATOR_ROLES, type OperatorRole, requireRole } from './auth.ts';
import { CopilotServiceError } from './errors.ts';
import { type FindingAcknowledged, OPERATORS_ROOM } from './events.ts';
import type { CopilotIo } from './io.ts';
import { apiRoutes } from './routes.ts';
import { attachSocketHandlers } from './sockets.ts';

export interface CopilotServiceOptions {
  store: CopilotStore;
  pipeline: CopilotPipeline;
  /** Trusted tokens: the copilot's app client of the Cognito user pool, or the local issuer. */
  identity: IdentitySettings;
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default 16384 */
  bodyLimitBytes?: number;
  clock?: () => number;
  /**
   * Local runtime only: serves `POST /local/token {"role"}` with an operator JWT from the local issuer, the
   * stand-in for signing in to the user pool. Never set in AWS, where Cognito issues operator tokens.
   */
  localOperatorToken?: (role: OperatorRole) => Promise<string>;
}

export type { CopilotIo } from './io.ts';

export interface CopilotService {
  url: string;
  io: CopilotIo;
  close(): Promise<void>;
}

/**
 * The copilot's REST API and live events. Every /api route and every socket handshake carries a JWT for the
 * copilot app client; pipeline events (findings, mitigations, SLO snapshots, source statuses) are pushed to
 * all authenticated sockets.
 */
export async function startCopilotService(options: CopilotServiceOptions): Promise<CopilotService> {
  const clock = options.clock ?? Date.now;
  const verifier = createIdentityVerifier(options.identity, clock);
  const app = express();
  const server = createServer(app);
  const io: CopilotIo = new SocketServer(server, { serveClient: false, cors: { origin: false } });
  const onAcknowledged = (ack: FindingAcknowledged) =>
    io.to(OPERATORS_ROOM).emit('finding.acknowledged', ack);

  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', watermark: options.pipeline.counters.watermark });
  });
  app.use('/api', express.json({ limit: options.bodyLimitBytes ?? 16_384, strict: true }));
  app.use('/api', requireJsonBody);
  app.use(
    '/api',
    apiRoutes({ store: options.store, pipeline: options.pipeline, verifier, clock, onAcknowledged }),
  );
  if (options.localOperatorToken) mountLocalTokenRoute(app, options.localOperatorToken);
  app.use((req: Request) => {
    throw new CopilotServiceError('route_not_found', `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler);

  io.use(socketAuth(verifier));
  attachSocketHandlers(io, { store: options.store, clock, onAcknowledged });
  const unsubscribe = options.pipeline.subscribe({
    findingCreated: (finding) => io.to(OPERATORS_ROOM).emit('finding.created', finding),
    mitigationApplied: (m) => io.to(OPERATORS_ROOM).emit('mitigation.applied', m),
    mitigationLifted: (m) => io.to(OPERATORS_ROOM).emit('mitigation.lifted', m),
    sloReport: (report) => io.to(OPERATORS_ROOM).emit('slo.report', report),
    sourceStatus: (statuses) => io.to(OPERATORS_ROOM).emit('source.status', statuses),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    io,
    close: async () => {
      unsubscribe();
      await io.close();
      server.closeAllConnections();
    },
  };
}

/** Writes must say they are JSON: a form post or text body is refused rather than silently ignored. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'];
  if ((req.method === 'POST' || req.method === 'PUT') && hasBody && !req.is('application/json')) {
    throw new CopilotServiceError('unsupported_media_type', 'send the body as application/json');
  }
  next();
}

function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const known = toServiceError(error);
  res.status(known.status).json(known.toJSON());
}

function toServiceError(error: unknown): CopilotServiceError {
  if (error instanceof CopilotServiceError) return error;
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large')
    return new CopilotServiceError(
      'payload_too_large',
      'the request body is larger than the service accepts',
    );
  if (type === 'entity.parse.failed')
    return new CopilotServiceError('malformed_json', 'the body is not valid JSON');
  return new CopilotServiceError('internal', 'the copilot could not complete the request', undefined, {
    cause: error,
  });
}

/** The handshake carries the same JWT as REST: `auth: { token }` or an Authorization header. */
function socketAuth(verifier: IdentityVerifier) {
  return async (
    socket: Parameters<Parameters<CopilotIo['use']>[0]>[0],
    next: (error?: Error) => void,
  ): Promise<void> => {
    try {
      const fromAuth = (socket.handshake.auth as { token?: unknown }).token;
      const header = socket.handshake.headers.authorization;
      const token = typeof fromAuth === 'string' ? fromAuth : header?.replace(/^Bearer\s+/i, '');
      if (!token) throw new CopilotServiceError('unauthorized', 'send the JWT as auth.token');
      const operator = await authenticate(verifier, token);
      requireRole(operator, 'viewer');
      socket.data = { actor: operator.actor, roles: operator.roles };
      next();
    } catch (error) {
      const known = toServiceError(error);
      const refusal = new Error(known.message) as Error & { data?: unknown };
      refusal.data = { code: known.code };
      next(refusal);
    }
  };
}

function mountLocalTokenRoute(app: express.Express, issue: (role: OperatorRole) => Promise<string>): void {
  app.post(
    '/local/token',
    express.json({ limit: 1024 }),
    (req: Request, res: Response, next: NextFunction) => {
      const role = (req.body as { role?: unknown } | undefined)?.role;
      if (!OPERATOR_ROLES.includes(role as OperatorRole)) {
        next(
          new CopilotServiceError('validation_failed', `role must be one of ${OPERATOR_ROLES.join(', ')}`),
        );
        return;
      }
      issue(role as OperatorRole).then((token) => res.json({ token, role }), next);
    },
  );
}
