import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createIdentityVerifier, type IdentitySettings } from '@boundless/delivery/identity';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Server as SocketServer } from 'socket.io';
import { mountIncidents } from '../incidents/mount.ts';
import type { IncidentService } from '../incidents/service.ts';
import { copilotLogger } from '../logger.ts';
import type { ChangeSetService } from '../changes/service.ts';
import type { CopilotPipeline } from '../pipeline/pipeline.ts';
import type { CopilotStore } from '../state/copilot-store.ts';
import { CopilotServiceError } from './errors.ts';
import { type Broadcast, OPERATORS_ROOM } from './events.ts';
import { type LocalOperatorIssuer, localIssuerRoutes } from './local-issuer-routes.ts';
import { opsRoutes } from './ops-routes.ts';
import { PrewarmDecisionLog } from '../prewarm/decision-log.ts';
import { prewarmRoutes } from './prewarm-routes.ts';
import { changeSetRoutes } from './change-set-routes.ts';
import { type ReportReader, type ReportRunner, reportRoutes } from './report-routes.ts';
import { apiRoutes } from './routes.ts';
import { type SignInSettings, signInRoutes } from './sign-in.ts';
import type { CopilotIo } from './io.ts';
import { attachSocketHandlers, socketAuth } from './sockets.ts';

export type { CopilotIo } from './io.ts';

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
  /** The dashboard's sign-in (authorization code + PKCE against the hosted UI). Without it, bearer tokens only. */
  signIn?: SignInSettings;
  /**
   * Local runtime only: the stand-in for the user pool's hosted UI and token endpoint (`/local/oauth2/*`) and the
   * scripted `POST /local/token {"role"}`. Never set in AWS, where Cognito issues operator tokens.
   */
  localIssuer?: { issue: LocalOperatorIssuer; allowRemote?: boolean };
  /** The dashboard's production build (`dashboard/dist`), served at `/`. */
  dashboardDir?: string;
  /** The incident chat: its routes, socket events and SLO-page incidents (incidents/mount.ts). */
  incidents?: IncidentService;
  /** The change-set flow (routes under /api/change-sets, event `change_set.updated`). */
  changeSets?: ChangeSetService;
  /** The daily reports (routes under /api/reports). */
  reports?: ReportReader;
  /** Runs a day's report on request (`POST /api/reports/run`); without it reports only come on schedule. */
  reportRunner?: ReportRunner;
  /**
   * The pre-warming loop's decisions (`GET /api/prewarm/decisions`, event `prewarm.decision`). Without it the
   * route says the loop is off.
   */
  prewarmDecisions?: PrewarmDecisionLog;
}

export interface CopilotService {
  url: string;
  io: CopilotIo;
  close(): Promise<void>;
}

const log = copilotLogger('service');

/**
 * The copilot's REST API, live events and dashboard, on one origin. Every /api route and every socket handshake
 * carries a JWT for the copilot app client (bearer, or the dashboard's session cookie); pipeline events
 * (findings, decisions, mitigations, SLO snapshots, source statuses) are pushed to all authenticated sockets.
 */
export async function startCopilotService(options: CopilotServiceOptions): Promise<CopilotService> {
  const clock = options.clock ?? Date.now;
  const verifier = createIdentityVerifier(options.identity, clock);
  const app = express();
  const server = createServer(app);
  const io: CopilotIo = new SocketServer(server, {
    serveClient: false,
    cors: { origin: false },
    // A dashboard that lost its connection for a moment gets the events it missed; the handshake (and so the
    // token's expiry) is checked again on every reconnect.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
  });
  const broadcast: Broadcast = (event, ...args) => io.to(OPERATORS_ROOM).emit(event, ...args);
  let selfUrl = '';

  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', watermark: options.pipeline.counters.watermark });
  });
  app.use('/api', express.json({ limit: options.bodyLimitBytes ?? 16_384, strict: true }));
  app.use('/api', requireJsonBody);
  const deps = { store: options.store, pipeline: options.pipeline, verifier, clock, broadcast };
  const prewarmDecisions = options.prewarmDecisions ?? new PrewarmDecisionLog();
  app.use('/api', apiRoutes(deps));
  app.use(
    '/api',
    opsRoutes(deps, () => {
      const loop = prewarmDecisions.status();
      return loop.mode === 'off' ? undefined : (loop.leadMinutes ?? undefined);
    }),
  );
  const unmountIncidents = options.incidents
    ? mountIncidents(app, io, { ...deps, service: options.incidents })
    : undefined;
  if (options.changeSets) app.use('/api', changeSetRoutes({ verifier, changeSets: options.changeSets }));
  if (options.reports)
    app.use(
      '/api',
      reportRoutes({
        verifier,
        reports: options.reports,
        clock,
        ...(options.reportRunner ? { runner: options.reportRunner } : {}),
      }),
    );
  app.use('/api', prewarmRoutes({ verifier, decisions: prewarmDecisions }));
  app.use('/api', (req: Request) => {
    throw new CopilotServiceError('route_not_found', `no route ${req.method} ${req.path}`);
  });
  if (options.signIn)
    app.use('/auth', signInRoutes({ settings: options.signIn, verifier, clock, selfUrl: () => selfUrl }));
  if (options.localIssuer)
    app.use(
      '/local',
      localIssuerRoutes({
        ...options.localIssuer,
        clientId: options.identity.audience,
        clock,
      }),
    );
  if (options.dashboardDir) serveDashboard(app, options.dashboardDir);
  app.use((req: Request) => {
    throw new CopilotServiceError('route_not_found', `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler);

  io.use(socketAuth(verifier));
  attachSocketHandlers(io, {
    store: options.store,
    verifier,
    clock,
    onAcknowledged: (ack) => broadcast('finding.acknowledged', ack),
    sloSnapshot: () => options.pipeline.sloSnapshot(),
    opsUpdate: () => options.pipeline.opsUpdate(),
  });
  const unsubscribe = options.pipeline.subscribe({
    findingCreated: (finding) => broadcast('finding.created', finding),
    findingDecided: (decided) => broadcast('finding.decided', decided),
    mitigationApplied: (m) => broadcast('mitigation.applied', m),
    mitigationLifted: (m) => broadcast('mitigation.lifted', m),
    sloReport: (report) => broadcast('slo.report', report),
    sourceStatus: (statuses) => broadcast('source.status', statuses),
    opsUpdated: (update) => broadcast('ops.updated', update),
  });
  const unsubscribeChanges = options.changeSets?.subscribe((changeSet, entry) =>
    broadcast('change_set.updated', { changeSet, entry }),
  );
  const unsubscribePrewarm = prewarmDecisions.subscribe((record) => broadcast('prewarm.decision', record));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  selfUrl = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  return {
    url: `http://${host}:${port}`,
    io,
    close: async () => {
      unsubscribe();
      unmountIncidents?.();
      unsubscribeChanges?.();
      unsubscribePrewarm();
      await io.close();
      server.closeAllConnections();
    },
  };
}

/**
 * The dashboard's build at `/`: hashed assets cached for good, and every other GET answered with index.html
 * so a deep link (`/abuse?finding=...`) opens the app on that view. The CSP keeps the page to its own scripts.
 */
function serveDashboard(app: express.Express, dir: string): void {
  const index = join(dir, 'index.html');
  // Gzip on the way out: the script is about a third of its size compressed (the dashboard's JS budget is 250 KB).
  app.use(compression());
  app.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  app.use(express.static(dir, { index: false, maxAge: 0 }));
  app.get('/{*splat}', (_req: Request, res: Response) => {
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    res.setHeader('cache-control', 'no-cache');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text')
        .send(
          'The dashboard is not built yet: run `npm run build -w dashboard` (npm start does it for you).',
        );
      return;
    }
    res.sendFile(index);
  });
}

/** Writes must say they are JSON: a form post or text body is refused rather than silently ignored. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'];
  if ((req.method === 'POST' || req.method === 'PUT') && hasBody && !req.is('application/json')) {
    throw new CopilotServiceError('unsupported_media_type', 'send the body as application/json');
  }
  next();
}

function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const known = toServiceError(error);
  // The cause goes in apart: the service error's toJSON (the client's answer) would hide it from the log.
  if (known.status >= 500)
    log.error(`${req.method} ${req.path} failed`, {
      code: known.code,
      message: known.message,
      ...(known.cause !== undefined ? { cause: known.cause } : {}),
    });
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
