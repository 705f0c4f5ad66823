import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LocalRoute } from '../lambda/local-identity-routes.ts';
import { type LocalFaultInjector, LocalFaultError } from './injector.ts';

/**
 * The local runtime's fault admin (local only, loopback callers only, outside the Lambda emulation):
 * `GET /local/faults` lists faults not yet over, `POST /local/faults {kind, target?, intensity?, durationS?,
 * delayS?}` injects one, `DELETE /local/faults/{id}` lifts one.
 */
const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function fromLoopback(event: APIGatewayProxyEventV2): boolean {
  return LOOPBACK.test(event.requestContext?.http?.sourceIp ?? '');
}

function bodyOf(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  if (!event.body) return undefined;
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch (error) {
    // Not JSON: the caller gets a 400 saying what to send.
    if (!(error instanceof SyntaxError)) throw error;
    return undefined;
  }
}

const seconds = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;

export function faultRoutes(injector: LocalFaultInjector): LocalRoute[] {
  const guard =
    (handler: LocalRoute['handler']): LocalRoute['handler'] =>
    async (event) =>
      fromLoopback(event)
        ? handler(event)
        : json(403, { message: 'fault injection is for loopback callers only' });
  return [
    { routeKey: 'GET /local/faults', handler: guard(async () => json(200, { faults: injector.list() })) },
    {
      routeKey: 'POST /local/faults',
      handler: guard(async (event) => {
        const body = bodyOf(event);
        if (!body || typeof body.kind !== 'string')
          return json(400, {
            message: 'send {"kind": "<fault>", "target"?, "intensity"?, "durationS"?, "delayS"?}',
          });
        try {
          const fault = injector.inject({
            kind: body.kind,
            ...(typeof body.target === 'string' ? { target: body.target } : {}),
            ...(typeof body.intensity === 'number' ? { intensity: body.intensity } : {}),
            ...(seconds(body.durationS) !== undefined ? { durationMs: seconds(body.durationS) } : {}),
            ...(seconds(body.delayS) !== undefined ? { delayMs: seconds(body.delayS) } : {}),
          });
          return json(201, { fault });
        } catch (error) {
          if (error instanceof LocalFaultError) return json(400, { message: error.message });
          throw error;
        }
      }),
    },
    {
      routeKey: 'DELETE /local/faults/{id}',
      handler: guard(async (event) => {
        const id = event.pathParameters?.id ?? '';
        return injector.clear(id) ? json(200, { lifted: id }) : json(404, { message: `no fault ${id}` });
      }),
    },
  ];
}
