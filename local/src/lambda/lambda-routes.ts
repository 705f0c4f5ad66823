import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { LambdaEmulator } from './lambda-emulator.ts';

/**
 * Registers API routes as Lambda functions. Several routes may share a function (one deployment package with a
 * router, as in AWS); the function then dispatches on the event's routeKey.
 */
export interface LambdaRoute {
  routeKey: string;
  functionName: string;
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
}

export function registerRouteFunctions(emulator: LambdaEmulator, routes: readonly LambdaRoute[]): void {
  const byFunction = new Map<string, Map<string, LambdaRoute['handler']>>();
  for (const route of routes) {
    const handlers = byFunction.get(route.functionName) ?? new Map<string, LambdaRoute['handler']>();
    handlers.set(route.routeKey, route.handler);
    byFunction.set(route.functionName, handlers);
  }
  for (const [functionName, handlers] of byFunction) {
    emulator.register({
      functionName,
      handler: async (event: APIGatewayProxyEventV2, context: Context) => {
        const handler = handlers.get(event.routeKey);
        if (!handler) throw new Error(`${functionName} has no handler for route ${event.routeKey}`);
        return handler(event, context);
      },
    });
  }
}
