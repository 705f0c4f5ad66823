import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every AWS stand-in shares: an HTTP server on a free loopback port that the real SDK client is pointed at,
 * and a request that fails inside the stand-in answered as the service's own internal error, never a hang.
 */
export abstract class LoopbackStandIn {
  private server: Server | undefined;

  /** Serves one request in the service's wire format. */
  protected abstract handle(request: IncomingMessage, response: ServerResponse): Promise<void>;

  /** Answers a request whose handling threw, in the service's error format. */
  protected abstract internalError(response: ServerResponse, error: unknown): void;

  /** Listens on a free loopback port; resolves to the endpoint to give the SDK client. */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.internalError(response, error));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A request's body, whole. */
  protected async body(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** A JSON request body (the AWS JSON protocols' requests). */
  protected async jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
    return JSON.parse((await this.body(request)).toString('utf8'));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Answers in an AWS JSON protocol (`application/x-amz-json-1.0` or `-1.1`), with a request id as AWS sends. */
export function replyJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('x-amzn-RequestId', `${Date.now()}-${Math.random().toString(16).slice(2)}`);
  response.end(JSON.stringify(body));
}
