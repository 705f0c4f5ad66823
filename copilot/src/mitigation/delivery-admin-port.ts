import { OUTBOUND_TIMEOUT_MS } from '../sources/aws-client.ts';
import type { Mitigation, MitigationPort } from './types.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('mitigation');

export interface DeliveryAdminPortOptions {
  /** Base URL of the access API, e.g. http://127.0.0.1:4000 or the API Gateway stage URL. */
  apiUrl: string;
  /** A bearer token for a principal with role `copilot`; called per request so it can refresh. */
  bearerToken: () => Promise<string>;
  fetch?: typeof fetch;
  /** Deadline of each admin API request, reading its answer included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AdminApiError';
  }
}

/**
 * Token- and account-scoped actions through the delivery core's admin API, which writes the KeyValueStore that
 * CloudFront enforces and the DynamoDB records behind it (in AWS the same API runs on API Gateway + Lambda).
 * The mitigation id is sent as Idempotency-Key, so a retried apply is one action.
 */
export class DeliveryAdminPort implements MitigationPort {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: DeliveryAdminPortOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async apply(mitigation: Mitigation): Promise<void> {
    const { tokenId, accountId } = mitigation.target;
    const reason = `${mitigation.reason} [${mitigation.id}]`.slice(0, 500);
    const durationSeconds = Math.max(
      60,
      Math.round((Date.parse(mitigation.expiresAt) - Date.parse(mitigation.decidedAt)) / 1000),
    );
    switch (mitigation.action) {
      case 'revoke_token':
        return this.call('POST', `/v1/admin/tokens/${enc(tokenId)}/revoke`, mitigation.id, { reason });
      case 'force_reauth':
        return this.call('POST', `/v1/admin/accounts/${enc(accountId)}/reauth`, mitigation.id, {
          reason,
          durationSeconds,
        });
      case 'short_ttl':
        return this.call('PUT', `/v1/admin/accounts/${enc(accountId)}/mitigations/short_ttl`, mitigation.id, {
          reason,
          durationSeconds,
          ttlSeconds: mitigation.params.ttlSeconds,
        });
      case 'rate_limit':
        return this.call(
          'PUT',
          `/v1/admin/accounts/${enc(accountId)}/mitigations/rate_limit`,
          mitigation.id,
          {
            reason,
            durationSeconds,
            limit: mitigation.params.limit,
            windowSeconds: mitigation.params.windowSeconds,
          },
        );
      default:
        throw new AdminApiError(
          400,
          'unsupported_action',
          `the admin API does not take ${mitigation.action}`,
        );
    }
  }

  async lift(mitigation: Mitigation): Promise<void> {
    const { tokenId, accountId } = mitigation.target;
    const kind = {
      revoke_token: `token_revoked:${tokenId}`,
      force_reauth: `forced_reauth:${accountId}`,
      short_ttl: `short_ttl:${accountId}`,
      rate_limit: `rate_limit:${accountId}`,
      block_ip: undefined,
    }[mitigation.action];
    if (!kind)
      throw new AdminApiError(400, 'unsupported_action', `the admin API does not lift ${mitigation.action}`);
    await this.call('DELETE', `/v1/admin/mitigations/${enc(kind)}`, `${mitigation.id}-lift`);
  }

  private async call(method: string, path: string, idempotencyKey: string, body?: unknown): Promise<void> {
    // A hung admin API must fail this action, not stall the pipeline: one deadline for the request and its answer.
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? OUTBOUND_TIMEOUT_MS);
    try {
      const response = await this.fetch(new URL(path, this.options.apiUrl), {
        method,
        headers: {
          authorization: `Bearer ${await this.options.bearerToken()}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      if (response.ok) return;
      const payload = (await response.json().catch((error: unknown) => {
        // A non-JSON error page still fails the call below, with the status; its body is only detail.
        log.warn('the admin API answered with a body that is not JSON', { error, status: response.status });
        return {};
      })) as {
        error?: { code?: string; message?: string };
      };
      throw new AdminApiError(
        response.status,
        payload.error?.code ?? 'http_error',
        `${method} ${path} answered ${response.status}: ${payload.error?.message ?? response.statusText}`,
      );
    } catch (error) {
      if (error instanceof AdminApiError) throw error;
      const timedOut = signal.aborted;
      throw new AdminApiError(
        0,
        timedOut ? 'timeout' : 'unreachable',
        `${method} ${path} ${timedOut ? 'got no answer in time' : 'failed'}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

function enc(value: string | undefined): string {
  if (!value)
    throw new AdminApiError(400, 'missing_target', 'the mitigation names no subject for this action');
  return encodeURIComponent(value);
}
