import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type IpSetRegistry, type IpSet, WafError, type WafScope } from './ip-sets.ts';
import { BodyTooLargeError, readBody } from '../http-body.ts';

/**
 * A local WAFv2 endpoint for IP sets: AWS WAF's JSON 1.1 wire protocol (`X-Amz-Target: AWSWAF_20190729.<op>`,
 * `__type` error names), so `@aws-sdk/client-wafv2` — and the copilot's WAF mitigation adapter on it — talk to
 * it exactly as to AWS. It serves the IP-set operations only: CreateIPSet, GetIPSet, ListIPSets, UpdateIPSet.
 * Requests are not signature-checked (like the other local stand-ins, it listens on loopback by default).
 */
export interface LocalWaf {
  /** The endpoint for `new WAFV2Client({ endpoint })`. */
  url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSWAF_20190729.';
const MAX_BODY_BYTES = 1024 * 1024;

type Handler = (registry: IpSetRegistry, input: Record<string, unknown>) => unknown;

const OPERATIONS: Record<string, Handler> = {
  CreateIPSet: (registry, input) => ({
    Summary: registry.create({
      Name: input['Name'] as string,
      Scope: input['Scope'] as WafScope,
      IPAddressVersion: input['IPAddressVersion'] as IpSet['IPAddressVersion'],
      Addresses: input['Addresses'] as string[],
      ...(typeof input['Description'] === 'string' ? { Description: input['Description'] } : {}),
    }),
  }),
  GetIPSet: (registry, input) => {
    const { LockToken, Scope: _scope, ...set } = registry.get(refOf(input));
    return { IPSet: set, LockToken };
  },
  ListIPSets: (registry, input) => ({ IPSets: registry.list(input['Scope'] as WafScope) }),
  UpdateIPSet: (registry, input) => ({
    NextLockToken: registry.update({
      ...refOf(input),
      Addresses: input['Addresses'] as string[],
      LockToken: String(input['LockToken'] ?? ''),
      ...(typeof input['Description'] === 'string' ? { Description: input['Description'] } : {}),
    }),
  }),
};

function refOf(input: Record<string, unknown>): { Name: string; Id: string; Scope: WafScope } {
  return {
    Name: String(input['Name'] ?? ''),
    Id: String(input['Id'] ?? ''),
    Scope: input['Scope'] as WafScope,
  };
}

export async function startLocalWaf(options: {
  registry: IpSetRegistry;
  port?: number;
  host?: string;
}): Promise<LocalWaf> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => void serve(options.registry, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(registry: IpSetRegistry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
      return reply(res, 400, error('UnknownOperationException', 'POST with an X-Amz-Target header expected'));
    }
    const operation = OPERATIONS[target.slice(TARGET_PREFIX.length)];
    if (!operation) {
      return reply(res, 400, error('UnknownOperationException', `${target} is not served locally`));
    }
    let body: string;
    try {
      body = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    } catch (cause) {
      if (cause instanceof BodyTooLargeError) {
        return reply(res, 413, error('SerializationException', 'request body too large'));
      }
      throw cause;
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body);
    } catch {
      return reply(res, 400, error('SerializationException', 'request body is not JSON'));
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return reply(res, 400, error('SerializationException', 'request body must be a JSON object'));
    }
    reply(res, 200, operation(registry, input as Record<string, unknown>));
  } catch (cause) {
    if (cause instanceof WafError) return reply(res, 400, error(cause.code, cause.message));
    reply(res, 500, error('WAFInternalErrorException', 'the local WAF endpoint failed'));
  }
}

function error(type: string, message: string) {
  return { __type: type, Message: message };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    ...(status >= 400 ? { 'x-amzn-errortype': (body as { __type: string }).__type } : {}),
  });
  res.end(text);
}
