import { LAMBDA_HANDLERS, type LambdaHandlerName } from '@boundless/delivery/lambda';

export type DeliveryFunctionName = LambdaHandlerName;

export interface DeliveryFunctionSpec {
  /** The export of the delivery Lambda entry that serves it. */
  readonly handler: DeliveryFunctionName;
  /** API Gateway route key, `METHOD /path`. */
  readonly routeKey: string;
  /** `delivery-grant-access`: the name the local runtime gives its log group, so telemetry reads alike. */
  readonly baseName: string;
  /** Admin routes need the admin or copilot role; their errors do not page. */
  readonly admin: boolean;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One Lambda function per API route, as the delivery core's Lambda entry exports them. */
export const DELIVERY_FUNCTIONS: Readonly<Record<DeliveryFunctionName, DeliveryFunctionSpec>> =
  Object.fromEntries(
    (Object.entries(LAMBDA_HANDLERS) as [DeliveryFunctionName, string][]).map(([handler, routeKey]) => [
      handler,
      {
        handler,
        routeKey,
        baseName: `delivery-${kebab(handler)}`,
        admin: routeKey.includes('/v1/admin/'),
      },
    ]),
  ) as Record<DeliveryFunctionName, DeliveryFunctionSpec>;
