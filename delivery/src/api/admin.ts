import { iso } from './admin-support.ts';
import {
  ADMIN_ROLES,
  forceReauth,
  liftMitigation,
  listMitigations,
  revokeToken,
  setMitigation,
} from './admin-mitigations.ts';
import { validate } from './http.ts';
import { type DeliveryApp, type DeliveryRoute, defineRoute } from './route.ts';
import {
  accountParams,
  auditQuery,
  mitigationIdParams,
  mitigationParams,
  mitigationRequest,
  reauthRequest,
  revokeRequest,
  tokenParams,
} from './schemas.ts';

/** Admin API for the copilot and platform operators: every route requires role `copilot` or `admin`. */
export function adminRoutes(app: DeliveryApp): DeliveryRoute[] {
  const roles = [...ADMIN_ROLES];
  return [
    defineRoute(
      {
        routeKey: 'POST /v1/admin/tokens/{tokenId}/revoke',
        functionName: 'delivery-admin-revoke-token',
        roles,
        params: tokenParams,
        body: revokeRequest,
        handle: (request) => revokeToken(request, app),
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'POST /v1/admin/accounts/{accountId}/reauth',
        functionName: 'delivery-admin-force-reauth',
        roles,
        params: accountParams,
        body: reauthRequest,
        handle: (request) => forceReauth(request, app),
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'PUT /v1/admin/accounts/{accountId}/mitigations/{kind}',
        functionName: 'delivery-admin-set-mitigation',
        roles,
        params: mitigationParams,
        body: mitigationRequest,
        handle: (request) => setMitigation(request, app),
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'GET /v1/admin/mitigations',
        functionName: 'delivery-admin-list-mitigations',
        roles,
        handle: (request) => listMitigations(request, app),
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'DELETE /v1/admin/mitigations/{mitigationId}',
        functionName: 'delivery-admin-lift-mitigation',
        roles,
        params: mitigationIdParams,
        handle: (request) => liftMitigation(request, app),
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'GET /v1/admin/accounts/{accountId}/tokens',
        functionName: 'delivery-admin-list-tokens',
        roles,
        params: accountParams,
        async handle(request) {
          const tokens = await app.store.access.listTokens(request.params.accountId);
          const present = tokens.map(({ iat, exp, revokedAt, ...t }) => ({
            ...t,
            issuedAt: iso(iat),
            expiresAt: iso(exp),
            ...(revokedAt === undefined ? {} : { revokedAt: iso(revokedAt) }),
          }));
          return { statusCode: 200, body: { tokens: present } };
        },
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'GET /v1/admin/audit',
        functionName: 'delivery-admin-audit',
        roles,
        async handle(request) {
          const query = validate(auditQuery, request.query, 'query');
          const entries = query.subject
            ? await app.store.audit.listBySubject(query.subject, query.limit)
            : await app.store.audit.listByDay(query.day as string, query.limit);
          return { statusCode: 200, body: { entries: entries.map((e) => ({ ...e, at: iso(e.at) })) } };
        },
      },
      app,
    ),
  ];
}
