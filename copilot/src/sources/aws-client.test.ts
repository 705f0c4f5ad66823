import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_MAX_ATTEMPTS, awsClientConfig } from './aws-client.ts';
import { AwsCostSource } from './cost.ts';

/** A Cost Explorer endpoint on loopback that answers each request with the next of `answers`. */
async function costExplorer(answers: ((res: ServerResponse) => void)[]) {
  let requests = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const answer = answers[Math.min(requests, answers.length - 1)]!;
      requests++;
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new CostExplorerClient(
    awsClientConfig({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return { client, server, requests: () => requests };
}

const json = (status: number, body: object, type?: string) => (res: ServerResponse) => {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': `r-${Math.random()}`,
    ...(type ? { 'x-amzn-errortype': type } : {}),
  });
  res.end(JSON.stringify(body));
};
const throttled = json(
  400,
  { __type: 'ThrottlingException', message: 'Rate exceeded' },
  'ThrottlingException',
);
const empty = json(200, { ResultsByTime: [] });

describe('Module: aws-client', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it('retries a throttled call in the SDK, once per attempt, with no second layer', async () => {
    const endpoint = await costExplorer([throttled, empty]);
    servers.push(endpoint.server);
    await expect(new AwsCostSource(endpoint.client).costs('2026-11-01', '2026-11-02')).resolves.toEqual([]);
    expect(endpoint.requests()).toBe(2);
  });

  it(`gives up after ${AWS_MAX_ATTEMPTS} attempts of a call that stays throttled`, async () => {
    const endpoint = await costExplorer([throttled]);
    servers.push(endpoint.server);
    await expect(new AwsCostSource(endpoint.client).costs('2026-11-01', '2026-11-02')).rejects.toThrow(
      /Rate exceeded/,
    );
    expect(endpoint.requests()).toBe(AWS_MAX_ATTEMPTS);
  });

  it('abandons a call the endpoint never answers once its deadline passes', async () => {
    const endpoint = await costExplorer([() => undefined]);
    servers.push(endpoint.server);
    const source = new AwsCostSource(endpoint.client, 200);
    await expect(source.costs('2026-11-01', '2026-11-02')).rejects.toThrow(/abort|timeout/i);
    endpoint.server.closeAllConnections();
  });
});
