import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { systemClock } from '../api/deps.ts';
import { createDeliveryRoutes, type DeliveryRoute } from '../api/routes.ts';
import { loadDeliveryConfig } from '../config/config.ts';
import { AwsKeyValueStore } from '../edge/aws-kvs.ts';
import { DeliveryError } from '../errors.ts';
import { createDynamoClients } from '../store/delivery-store.ts';
import { createTelemetryFactory } from '../telemetry/telemetry.ts';

/**
 * The Lambda entry: one exported handler per route (infra points each function at one export). Dependencies
 * are built once per execution environment on first use, from a configuration validated as a whole, so a bad
 * deployment fails on its first invocation with every problem named.
 */
export const LAMBDA_HANDLERS = {
  registerDevice: 'POST /v1/devices',
  listDevices: 'GET /v1/devices',
  removeDevice: 'DELETE /v1/devices/{deviceId}',
  grantAccess: 'POST /v1/access',
  listOrgEntitlements: 'GET /v1/orgs/{orgId}/entitlements',
  grantOrgEntitlement: 'POST /v1/orgs/{orgId}/entitlements',
  revokeOrgEntitlement: 'DELETE /v1/orgs/{orgId}/entitlements/{entitlementId}',
  adminRevokeToken: 'POST /v1/admin/tokens/{tokenId}/revoke',
  adminForceReauth: 'POST /v1/admin/accounts/{accountId}/reauth',
  adminSetMitigation: 'PUT /v1/admin/accounts/{accountId}/mitigations/{kind}',
  adminListMitigations: 'GET /v1/admin/mitigations',
  adminLiftMitigation: 'DELETE /v1/admin/mitigations/{mitigationId}',
  adminListTokens: 'GET /v1/admin/accounts/{accountId}/tokens',
  adminAudit: 'GET /v1/admin/audit',
} as const;

export type LambdaHandlerName = keyof typeof LAMBDA_HANDLERS;

let routes: Map<string, DeliveryRoute> | undefined;

function routesFromEnvironment(): Map<string, DeliveryRoute> {
  if (routes) return routes;
  const config = loadDeliveryConfig();
  if (!config.keyValueStoreArn) {
    throw new DeliveryError('config_invalid', 'BOUNDLESS_KVS_ARN: environment variable is required in AWS');
  }
  const { client, doc } = createDynamoClients({
    region: config.region,
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
  });
  const built = createDeliveryRoutes({
    dynamo: { doc, client, tableName: config.tableName },
    keyValueStore: new AwsKeyValueStore({ kvsArn: config.keyValueStoreArn }),
    cloudFront: config.cloudFront,
    edgeBaseUrl: config.edgeBaseUrl,
    edgeTokens: config.edgeTokens,
    identity: {
      issuer: config.identity.issuer,
      audience: config.identity.audience,
      ...(config.identity.jwksUrl ? { jwksUrl: config.identity.jwksUrl } : {}),
      ...(config.identity.publicKeyPem ? { publicKeyPem: config.identity.publicKeyPem } : {}),
      serviceClients: config.identity.serviceClients,
    },
    clock: systemClock,
    telemetry: createTelemetryFactory(config.telemetry),
    limits: config.limits,
  });
  routes = new Map(built.map((route) => [route.routeKey, route]));
  return routes;
}

function handlerFor(routeKey: string) {
  return (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = routesFromEnvironment().get(routeKey);
    if (!route) throw new DeliveryError('route_not_found', `no handler for ${routeKey}`);
    return route.handler(event, context);
  };
}

export const registerDevice = handlerFor(LAMBDA_HANDLERS.registerDevice);
export const listDevices = handlerFor(LAMBDA_HANDLERS.listDevices);
export const removeDevice = handlerFor(LAMBDA_HANDLERS.removeDevice);
export const grantAccess = handlerFor(LAMBDA_HANDLERS.grantAccess);
export const listOrgEntitlements = handlerFor(LAMBDA_HANDLERS.listOrgEntitlements);
export const grantOrgEntitlement = handlerFor(LAMBDA_HANDLERS.grantOrgEntitlement);
export const revokeOrgEntitlement = handlerFor(LAMBDA_HANDLERS.revokeOrgEntitlement);
export const adminRevokeToken = handlerFor(LAMBDA_HANDLERS.adminRevokeToken);
export const adminForceReauth = handlerFor(LAMBDA_HANDLERS.adminForceReauth);
export const adminSetMitigation = handlerFor(LAMBDA_HANDLERS.adminSetMitigation);
export const adminListMitigations = handlerFor(LAMBDA_HANDLERS.adminListMitigations);
export const adminLiftMitigation = handlerFor(LAMBDA_HANDLERS.adminLiftMitigation);
export const adminListTokens = handlerFor(LAMBDA_HANDLERS.adminListTokens);
export const adminAudit = handlerFor(LAMBDA_HANDLERS.adminAudit);
