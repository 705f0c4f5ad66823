/**
 * The copilot image's path, as far as it runs without Docker: infra/docker/stage-copilot-image.mjs lays out
 * /app exactly as the Dockerfile's build stage does (sources without tests, the dashboard's build, the lockfile's
 * production packages only: linked from this checkout instead of `npm ci --omit=dev`), then the Dockerfile's
 * CMD runs there with its ENV, against local stand-ins that the real SDK clients reach through the standard
 * `AWS_ENDPOINT_URL_*` variables (any other AWS endpoint is a dead loopback port). It must serve the dashboard and
 * the API, take the scale-out detections from SQS and act on them with its service token, and stop on SIGTERM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchStandIn, EventBusStandIn, S3StandIn } from '@boundless/copilot/testing';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../../cli/dashboard-build.ts';
import { CloudFormationStandIn } from '../cloudformation-stand-in.ts';
import { loadTunables } from '../tunables.ts';
import { DeliveryAdminStandIn, startOperatorPool } from './delivery-admin-stand-in.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'infra/docker/copilot.Dockerfile'), 'utf8');
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'infra/docker/copilot-image.json'), 'utf8')) as {
  entry: string[];
};
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Operators';
const QUEUE = 'boundless-copilot-detections';
const stage = mkdtempSync(join(tmpdir(), 'copilot-image-'));
const app = join(stage, 'app');

/** The final stage's ENV and CMD, read from the Dockerfile itself. */
function dockerfileRuntime(): { env: Record<string, string>; cmd: string[] } {
  const final = DOCKERFILE.slice(DOCKERFILE.lastIndexOf('\nFROM '));
  const env = Object.fromEntries(
    [...final.matchAll(/^ENV (\w+)=(\S+)$/gm)].map(([, k, v]) => [
      k as string,
      (v as string).replace(/^\/app/, app),
    ]),
  );
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(final)?.[1] ?? '[]') as string[];
  return { env, cmd };
}

const dynamo = dynalite({ createTableMs: 0 });
const s3 = new S3StandIn(['reports', 'logs']);
const cloudFormation = new CloudFormationStandIn({ BoundlessDelivery: {}, BoundlessObservability: {} });
const cloudWatch = new CloudWatchStandIn();
const events = new EventBusStandIn();
const admin = new DeliveryAdminStandIn({
  id: 'copilotclient',
  secret: 'client-secret',
  scope: 'boundless-delivery/admin',
});
let operators: Awaited<ReturnType<typeof startOperatorPool>>;
let child: ChildProcess;
let url: string;
const output: string[] = [];

beforeAll(async () => {
  const build = await ensureDashboardBuild(() => undefined);
  if (!build.ok) throw new Error(`the dashboard did not build (${build.reason})`);
  const staged = spawnSync(
    process.execPath,
    [join(ROOT, 'infra/docker/stage-copilot-image.mjs'), '--out', app, '--node-modules', 'link'],
    { encoding: 'utf8' },
  );
  if (staged.status !== 0) throw new Error(`staging failed: ${staged.stderr}`);

  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const s3Endpoint = await s3.start();
  const cfnEndpoint = await cloudFormation.start();
  const cloudWatchEndpoint = await cloudWatch.start();
  const eventsEndpoint = await events.start();
  const queueUrl = events.createQueue(QUEUE);
  await admin.start();
  operators = await startOperatorPool(ISSUER, 'copilot-dashboard');

  const runtime = dockerfileRuntime();
  expect(runtime.cmd).toEqual(MANIFEST.entry);
  // Only what a task gets: no inherited AWS profile or endpoint can send a request anywhere but here.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('COPILOT_')),
  );
  const env = {
    ...inherited,
    ...runtime.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: cfnEndpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatchEndpoint,
    AWS_ENDPOINT_URL_SQS: eventsEndpoint,
    // What the CopilotStack sets (copilot-stack.ts), with local addresses.
    COPILOT_MODE: 'aws',
    COPILOT_HOST: '127.0.0.1',
    COPILOT_PORT: '0',
    COPILOT_POLL_MS: '200',
    COPILOT_REGION: 'us-east-1',
    COPILOT_TABLE: 'boundless-copilot',
    COPILOT_LOG_BUCKET: 'logs',
    COPILOT_LOG_PREFIX: 'cloudfront/',
    COPILOT_DETECTION_QUEUE_URL: queueUrl,
    ...admin.copilotEnv(),
    ...operators.env,
    COPILOT_DISTRIBUTION_ID: 'E2DIST',
    COPILOT_HTTP_API_ID: 'api123',
    COPILOT_REPORT_BUCKET: 'reports',
    COPILOT_DEPLOYMENT_CONTEXT: JSON.stringify({ account: '123456789012', prefix: 'boundless' }),
  };
  const [command, ...args] = runtime.cmd;
  expect(command).toBe('node');
  child = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      output.push(chunk.toString());
      for (const line of buffered.split('\n')) {
        if (!line.includes('copilot listening')) continue;
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('exit', (code) =>
      reject(new Error(`the entry exited with ${code}:\n${output.join('').slice(-3000)}`)),
    );
  });
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await Promise.all([s3.stop(), cloudFormation.stop(), cloudWatch.stop(), events.stop(), admin.stop()]);
  await operators?.close();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  rmSync(stage, { recursive: true, force: true });
});

const viewer = async () => `Bearer ${await operators.issuer.issue({ sub: 'vera', groups: ['viewer'] })}`;

describe('the copilot image, staged and run by its entry point', () => {
  it('serves the dashboard build it ships at / and its hashed assets', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves the API to an operator only', async () => {
    expect((await fetch(`${url}/api/findings`)).status).toBe(401);
    const findings = await fetch(`${url}/api/findings`, { headers: { authorization: await viewer() } });
    expect(findings.status).toBe(200);
    // The change-set flow is on, its tunables seeded in the reports bucket from the image's infra/tunables.json.
    const tunables = await fetch(`${url}/api/documents/tunables`, {
      headers: { authorization: await viewer() },
    });
    expect(tunables.status).toBe(200);
    const body = (await tunables.json()) as { content: unknown };
    expect(body.content).toEqual(loadTunables());
  });

  it('acts on a scale-out detection from its queue with its client-credentials token', async () => {
    events.send(
      QUEUE,
      JSON.stringify({
        version: '0',
        id: 'e-1',
        'detail-type': 'Abuse detection',
        source: 'boundless.scale-out',
        account: '123456789012',
        time: '2026-11-02T10:04:00Z',
        region: 'us-east-1',
        resources: [],
        detail: {
          kind: 'token_sharing',
          subject: { tokenId: 'tok-img', accountId: 'acct-img' },
          firstSeen: '2026-11-02T10:00:00.000Z',
          detectedAt: '2026-11-02T10:04:00.000Z',
          score: 0.97,
          evidence: { devices: 5 },
          mitigation: 'revoke_token',
          id: 'd-img',
          family: 'subject',
        },
      }),
    );
    await expect
      .poll(() => admin.calls.map((c) => `${c.method} ${c.path} ${c.roles.join()}`), { timeout: 20_000 })
      .toContain('POST /v1/admin/tokens/tok-img/revoke copilot');
    expect(admin.refused).toEqual([]);
  });

  it("loads the daily report task's command line from the same tree", () => {
    const help = spawnSync(process.execPath, ['bin/boundless.mjs', 'report', '--help'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--date');
  });

  it('stops cleanly on SIGTERM, as ECS stops a task', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
