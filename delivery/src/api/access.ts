import { activeMitigations, type DenialReason, decideAccess } from '../domain/access-decision.ts';
import type { AccessToken } from '../domain/model.ts';
import { DeliveryError, type DeliveryErrorCode } from '../errors.ts';
import { loadAccessFacts } from '../store/access-facts.ts';
import { traced } from '../telemetry/telemetry.ts';
import { deviceHashOf, issueEdgeToken } from '../token/edge-token.ts';
import { iso } from './admin-support.ts';
import { type DeliveryApp, type DeliveryRoute, defineRoute } from './route.ts';
import { accessRequest } from './schemas.ts';

const DENIAL: Record<DenialReason, [DeliveryErrorCode, string]> = {
  title_not_found: ['not_found', 'no such title'],
  reauth_required: ['reauth_required', 'sign in again to continue'],
  device_not_registered: ['device_not_registered', 'register this device before opening titles on it'],
  not_entitled: ['not_entitled', 'this account is not entitled to this title'],
  entitlement_expired: ['entitlement_expired', 'the entitlement to this title has expired'],
  outside_campus: ['outside_campus', "this title is licensed for use on the organisation's campus network"],
};

/**
 * POST /v1/access: decide, then issue a session for one title — CloudFront signed cookies for the title's path
 * prefix plus the device-bound `bbt` edge token, recorded so the copilot can revoke it.
 */
export function accessRoutes(app: DeliveryApp): DeliveryRoute[] {
  return [
    defineRoute(
      {
        routeKey: 'POST /v1/access',
        functionName: 'delivery-grant-access',
        readerFacing: true,
        body: accessRequest,
        async handle(request) {
          const { principal, now, body } = request;
          const { accountId, orgId } = principal;
          const facts = await traced(request.telemetry.tracer, 'loadAccessFacts', () =>
            loadAccessFacts(app.store.table, { accountId, orgId, ...body, now }, app.titles),
          );
          const deny = (
            reason: DenialReason | 'rate_limited' | 'seats_exhausted',
            code: DeliveryErrorCode,
            message: string,
          ) => {
            request.count('AccessDenied', { reason });
            return new DeliveryError(code, message);
          };

          const { rateLimit } = activeMitigations(facts.mitigations, now);
          if (
            rateLimit &&
            !(await app.store.access.hitRateWindow(accountId, rateLimit.limit, rateLimit.windowSeconds, now))
          ) {
            throw deny('rate_limited', 'rate_limited', 'too many access requests; try again later');
          }

          const decision = decideAccess({
            ...facts,
            now,
            principal: { accountId, ...(orgId ? { orgId } : {}), authenticatedAt: principal.authenticatedAt },
            sourceIp: request.sourceIp,
            defaultTtlSeconds: app.limits.accessTtlSeconds,
          });
          if (!decision.granted) {
            const [code, message] = DENIAL[decision.reason];
            throw deny(decision.reason, code, message);
          }
          if (decision.channel === 'b2b' && facts.org && !facts.hasSeat) {
            const seat = await app.store.accounts.claimSeat(
              facts.org.accountId,
              accountId,
              facts.org.seats,
              now,
            );
            if (seat === 'limit_reached') {
              throw deny('seats_exhausted', 'seats_exhausted', 'every seat of this organisation is taken');
            }
          }

          const { currentKid, secrets } = app.deps.edgeTokens;
          const scope = `/titles/${body.titleId}/`;
          const token: AccessToken = {
            tokenId: app.newId(),
            accountId,
            deviceId: body.deviceId,
            titleId: body.titleId,
            channel: decision.channel,
            kid: currentKid,
            iat: now,
            exp: decision.expiresAt,
          };
          const bbt = issueEdgeToken(
            { ...token, deviceHash: deviceHashOf(accountId, body.deviceId), scope },
            secrets[currentKid] as string,
          );
          const { cookies, setCookie } = app.cookies.sign(scope, decision.expiresAt);
          await traced(request.telemetry.tracer, 'recordToken', () => app.store.access.putToken(token));
          request.count('AccessGranted', { channel: decision.channel });
          return {
            statusCode: 200,
            channel: decision.channel,
            cookies: setCookie,
            body: {
              titleId: body.titleId,
              scope,
              expiresAt: iso(decision.expiresAt),
              bbt,
              cookies,
              tokenId: token.tokenId,
              channel: decision.channel,
              assetBaseUrl: `${app.deps.edgeBaseUrl}${scope}`,
            },
          };
        },
      },
      app,
    ),
  ];
}
