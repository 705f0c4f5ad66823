import type { Entitlement, EntitlementTarget } from '../domain/model.ts';
import { requireOrgAdmin } from '../domain/principal.ts';
import { DeliveryError } from '../errors.ts';
import { audit, iso } from './admin-support.ts';
import { type DeliveryApp, type DeliveryRoute, defineRoute } from './route.ts';
import { orgEntitlementParams, orgGrant, orgParams } from './schemas.ts';

const presentEntitlement = (e: Entitlement) => ({
  entitlementId: `${e.target.type}:${e.target.id}`,
  target: e.target,
  channel: e.channel,
  startsAt: iso(e.startsAt),
  ...(e.expiresAt === undefined ? {} : { expiresAt: iso(e.expiresAt) }),
  grantedBy: e.grantedBy,
});

async function requireOrganisation(app: DeliveryApp, orgId: string): Promise<void> {
  const org = await app.store.accounts.getAccount(orgId);
  if (org?.kind !== 'organisation') throw new DeliveryError('not_found', 'no such organisation');
}

const sameGrant = (a: Entitlement, b: Entitlement) =>
  a.startsAt === b.startsAt && a.expiresAt === b.expiresAt && a.channel === b.channel;

/** B2B administrators grant and revoke their organisation's entitlements; natural keys make retries safe. */
export function orgEntitlementRoutes(app: DeliveryApp): DeliveryRoute[] {
  return [
    defineRoute(
      {
        routeKey: 'GET /v1/orgs/{orgId}/entitlements',
        functionName: 'delivery-list-org-entitlements',
        params: orgParams,
        async handle(request) {
          requireOrgAdmin(request.principal, request.params.orgId);
          await requireOrganisation(app, request.params.orgId);
          const entitlements = await app.store.catalog.listEntitlements(request.params.orgId);
          return { statusCode: 200, body: { entitlements: entitlements.map(presentEntitlement) } };
        },
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'POST /v1/orgs/{orgId}/entitlements',
        functionName: 'delivery-grant-org-entitlement',
        params: orgParams,
        body: orgGrant,
        async handle(request) {
          const { orgId } = request.params;
          requireOrgAdmin(request.principal, orgId);
          await requireOrganisation(app, orgId);
          const { titleId, collectionId, startsAt, expiresAt } = request.body;
          const target: EntitlementTarget = titleId
            ? { type: 'title', id: titleId }
            : { type: 'collection', id: collectionId as string };
          if (target.type === 'title' && !(await app.store.catalog.getTitle(target.id))) {
            throw new DeliveryError('not_found', 'no such title');
          }
          const previous = await app.store.catalog.getEntitlement(orgId, target);
          const entitlement: Entitlement = {
            accountId: orgId,
            target,
            channel: 'b2b',
            // A retry without startsAt must not move the start, or it would not be recognised as a retry.
            startsAt: startsAt ?? previous?.startsAt ?? request.now,
            ...(expiresAt === undefined ? {} : { expiresAt }),
            grantedBy: request.principal.accountId,
          };
          if (previous && sameGrant(previous, entitlement)) {
            return { statusCode: 200, body: { entitlement: presentEntitlement(previous), changed: false } };
          }
          await app.store.catalog.putEntitlement(entitlement);
          await audit(
            request,
            app,
            'entitlement.granted',
            { orgId, titleId: target.id },
            { target, startsAt, expiresAt },
          );
          return {
            statusCode: previous ? 200 : 201,
            body: { entitlement: presentEntitlement(entitlement), changed: true },
          };
        },
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'DELETE /v1/orgs/{orgId}/entitlements/{entitlementId}',
        functionName: 'delivery-revoke-org-entitlement',
        params: orgEntitlementParams,
        async handle(request) {
          const { orgId, entitlementId } = request.params;
          requireOrgAdmin(request.principal, orgId);
          const [type, id] = entitlementId.split(':') as ['title' | 'collection', string];
          const removed = await app.store.catalog.deleteEntitlement(orgId, { type, id });
          if (removed)
            await audit(
              request,
              app,
              'entitlement.revoked',
              { orgId, titleId: id },
              { target: { type, id } },
            );
          return { statusCode: 200, body: { entitlementId, changed: removed !== undefined } };
        },
      },
      app,
    ),
  ];
}
