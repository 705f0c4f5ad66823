import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackStandIn } from '../sources/loopback-stand-in.ts';

/** A provisioned-concurrency config the stand-in holds, keyed by function and qualifier. */
export interface StandInProvisionedConfig {
  functionName: string;
  qualifier: string;
  requested: number;
  /** What Get answers; a test sets FAILED (with a reason) to play an allocation Lambda gave up on. */
  status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  statusReason?: string;
}

const ROUTE = /^\/2019-09-30\/functions\/([^/]+)\/provisioned-concurrency$/;

/**
 * A small Lambda control plane that speaks the wire format the SDK's LambdaClient sends (REST-JSON):
 * PutProvisionedConcurrencyConfig (`PUT /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=`),
 * GetProvisionedConcurrencyConfig and DeleteProvisionedConcurrencyConfig, with Lambda's own validation (a
 * qualifier that is not `$LATEST`, at least one environment, at most `accountLimit`) and error shapes. Enough to
 * test the copilot's Lambda adapter with the real client; it checks no signature and keeps configs in memory.
 */
export class LambdaStandIn extends LoopbackStandIn {
  readonly configs = new Map<string, StandInProvisionedConfig>();
  /** Every request served, in order (tests read what the adapter asked). */
  readonly requests: { method: string; functionName: string; qualifier: string; body: unknown }[] = [];
  /** Functions that exist; any other name is ResourceNotFoundException. */
  readonly functions = new Set<string>();

  constructor(
    functions: readonly string[],
    private readonly accountLimit = 1000,
  ) {
    super();
    for (const name of functions) this.functions.add(name);
  }

  protected internalError(response: ServerResponse, error: unknown): void {
    reply(response, 500, 'ServiceException', String(error));
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const match = ROUTE.exec(url.pathname);
    if (!match) return reply(response, 404, 'UnknownOperationException', `not served here: ${url.pathname}`);
    const functionName = decodeURIComponent(match[1]!);
    const qualifier = url.searchParams.get('Qualifier') ?? '';
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const method = request.method ?? 'GET';
    this.requests.push({ method, functionName, qualifier, body });
    if (!this.functions.has(functionName))
      return reply(response, 404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
    if (!qualifier || qualifier === '$LATEST')
      return reply(
        response,
        400,
        'InvalidParameterValueException',
        'Provisioned concurrency needs an alias or a version',
      );
    const key = `${functionName}:${qualifier}`;
    if (method === 'PUT') {
      const requested = (body as { ProvisionedConcurrentExecutions?: unknown })
        ?.ProvisionedConcurrentExecutions;
      if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1)
        return reply(
          response,
          400,
          'InvalidParameterValueException',
          'ProvisionedConcurrentExecutions must be ≥ 1',
        );
      if (requested > this.accountLimit)
        return reply(
          response,
          400,
          'InvalidParameterValueException',
          `exceeds the account limit ${this.accountLimit}`,
        );
      this.configs.set(key, { functionName, qualifier, requested, status: 'READY' });
      return json(response, 202, {
        RequestedProvisionedConcurrentExecutions: requested,
        AllocatedProvisionedConcurrentExecutions: 0,
        AvailableProvisionedConcurrentExecutions: 0,
        Status: 'IN_PROGRESS',
        LastModified: new Date().toISOString(),
      });
    }
    const config = this.configs.get(key);
    if (!config)
      return reply(
        response,
        404,
        'ProvisionedConcurrencyConfigNotFoundException',
        `No provisioned concurrency on ${key}`,
      );
    if (method === 'DELETE') {
      this.configs.delete(key);
      response.writeHead(204).end();
      return;
    }
    const allocated = config.status === 'READY' ? config.requested : 0;
    return json(response, 200, {
      RequestedProvisionedConcurrentExecutions: config.requested,
      AllocatedProvisionedConcurrentExecutions: allocated,
      AvailableProvisionedConcurrentExecutions: allocated,
      Status: config.status,
      ...(config.statusReason ? { StatusReason: config.statusReason } : {}),
    });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Lambda's REST-JSON errors: the type in `x-amzn-errortype` and the body's `Type`/`message`. */
function reply(response: ServerResponse, status: number, type: string, message: string): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
    .end(JSON.stringify({ Type: 'User', message }));
}
