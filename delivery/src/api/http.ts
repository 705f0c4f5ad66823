import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { DeliveryError, type DeliveryErrorCode } from '../errors.ts';

/** The only place delivery error codes become HTTP statuses. */
const STATUS: Record<DeliveryErrorCode, number> = {
  unauthorized: 401,
  reauth_required: 401,
  forbidden: 403,
  not_entitled: 403,
  entitlement_expired: 403,
  outside_campus: 403,
  device_not_registered: 403,
  seats_exhausted: 409,
  device_limit_reached: 409,
  idempotency_in_progress: 409,
  validation_failed: 400,
  payload_too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  not_found: 404,
  route_not_found: 404,
  config_invalid: 500,
  internal: 500,
};

export function statusOf(code: DeliveryErrorCode): number {
  return STATUS[code];
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
  cookies?: string[],
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
  };
}

export function errorResponse(error: DeliveryError, headers: Record<string, string> = {}) {
  const statusCode = statusOf(error.code);
  // 5xx messages may carry internals (table names, SDK messages): clients get a fixed text.
  const message = statusCode >= 500 ? 'internal error' : error.message;
  const extra: Record<string, string> = {};
  if (statusCode === 401) extra['www-authenticate'] = 'Bearer error="invalid_token"';
  const body = {
    error: {
      code: error.code,
      message,
      ...(statusCode < 500 && error.details ? { details: error.details } : {}),
    },
  };
  return json(statusCode, body, { ...headers, ...extra });
}

function headerBytes(event: APIGatewayProxyEventV2): number {
  let total = 0;
  for (const [name, value] of Object.entries(event.headers ?? {}))
    total += name.length + (value?.length ?? 0) + 4;
  for (const cookie of event.cookies ?? []) total += cookie.length + 2;
  return total;
}

export function checkHeaders(event: APIGatewayProxyEventV2, maxBytes: number): void {
  if (headerBytes(event) > maxBytes) {
    throw new DeliveryError('headers_too_large', `request headers exceed ${maxBytes} bytes`);
  }
}

/** Size cap first (before decoding work), then media type, JSON, and the route's schema. */
export function parseBody<T>(event: APIGatewayProxyEventV2, schema: z.ZodType<T>, maxBytes: number): T {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBytes) {
    throw new DeliveryError('payload_too_large', `request body exceeds ${maxBytes} bytes`, {
      details: { limitBytes: maxBytes },
    });
  }
  let value: unknown = {};
  if (bytes.byteLength > 0) {
    const type = event.headers?.['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      throw new DeliveryError('unsupported_media_type', 'request body must be application/json');
    }
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new DeliveryError('validation_failed', 'request body is not valid JSON', { cause });
    }
  }
  return validate(schema, value, 'request body');
}

export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new DeliveryError('validation_failed', `${what} is invalid`, { details: { issues } });
  }
  return result.data;
}

export function bearerToken(event: APIGatewayProxyEventV2): string {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
  if (!match?.[1]) throw new DeliveryError('unauthorized', 'a Bearer token is required');
  return match[1];
}
