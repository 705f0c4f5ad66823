import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { readLogGroupEvents } from '@boundless/copilot/telemetry-dir';
import { startEmbeddedDynamo } from '../dynamo/embedded-dynamo.ts';
import { LambdaEmulator, logGroupOf } from '../lambda/lambda-emulator.ts';
import { LogGroupWriter } from '../telemetry/log-groups.ts';
import { faultRoutes } from './fault-routes.ts';
import { LocalFaultInjector } from './injector.ts';

const root = mkdtempSync(join(tmpdir(), 'faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const known = { functions: () => ['grant', 'catalog'], table: 'delivery', defaultFunction: 'grant' };

/** A clock the test moves, and a random source that always rolls the fault (0 < every probability). */
function injectorAt(startMs = 1_000_000, random = () => 0) {
  const clock = { now: startMs };
  const injector = new LocalFaultInjector(known, () => clock.now, random);
  return { injector, clock };
}

async function messagesOf(logs: LogGroupWriter, functionName: string) {
  await logs.flush();
  const out: { stream: string; message: string }[] = [];
  for await (const event of readLogGroupEvents(logs.root, logGroupOf(functionName), 0, Date.now() + 60_000))
    out.push({ stream: event.logStream, message: event.message });
  return out;
}

describe('Class: LocalFaultInjector', () => {
  it('refuses unknown kinds, edge kinds without an edge, unknown targets and faults a target cannot have', () => {
    const { injector } = injectorAt();
    expect(() => injector.inject({ kind: 'meltdown' })).toThrow(/unknown fault kind/);
    expect(() => injector.inject({ kind: 'cache_hit_collapse' })).toThrow(/needs the edge/);
    expect(() => injector.inject({ kind: 'throttling', target: 'nope' })).toThrow(
      /no function or table "nope"/,
    );
    expect(() => injector.inject({ kind: 'cold_start_storm', target: 'delivery' })).toThrow(
      /the table can suffer/,
    );
    expect(() => injector.inject({ kind: 'throttling', intensity: 2 })).toThrow(/intensity/);
    expect(injector.list()).toEqual([]);
  });

  it('sends edge kinds to the distribution (or its function) and turns them into the edge plan', () => {
    const clock = { now: 1_000_000 };
    const injector = new LocalFaultInjector(
      { ...known, edge: { distributionId: 'EDIST', functionName: 'edge-fn' } },
      () => clock.now,
      () => 0,
    );
    expect(injector.inject({ kind: 'origin_errors', intensity: 1 })).toMatchObject({
      on: 'edge',
      target: 'EDIST',
    });
    expect(injector.inject({ kind: 'signing_key_mismatch', target: 'edge' })).toMatchObject({
      on: 'edge_function',
      target: 'edge-fn',
    });
    expect(() => injector.inject({ kind: 'cache_hit_collapse', target: 'grant' })).toThrow(/hits the edge/);
    expect(() => injector.inject({ kind: 'throttling', target: 'EDIST' })).toThrow(/the edge can suffer/);
    expect(injector.edgePlan()).toEqual({
      originErrorP: expect.closeTo(0.9, 9),
      originDelayMs: 500,
      missingKeyP: expect.closeTo(0.72, 9),
    });
    expect(injector.invocationPlan('grant')).toBeUndefined();
    injector.close();
  });

  it('acts only between its start and its end, on its own target', () => {
    const { injector, clock } = injectorAt();
    const fault = injector.inject({ kind: 'throttling', delayMs: 60_000, durationMs: 120_000 });
    expect(fault).toMatchObject({ target: 'grant', on: 'function', startMs: 1_060_000, endMs: 1_180_000 });
    expect(injector.invocationPlan('grant')).toBeUndefined();
    clock.now = 1_100_000;
    expect(injector.invocationPlan('grant')).toMatchObject({ throttle: true });
    expect(injector.invocationPlan('catalog')).toBeUndefined();
    clock.now = 1_180_000;
    expect(injector.invocationPlan('grant')).toBeUndefined();
    expect(injector.list()).toEqual([]);
    injector.close();
  });

  it('turns table faults into the embedded DynamoDB plan, and lifting a fault clears it', () => {
    const { injector } = injectorAt();
    const plans: unknown[] = [];
    injector.onTablePlan((plan) => plans.push(plan));
    const throttling = injector.inject({ kind: 'throttling', target: 'DynamoDB', intensity: 1 });
    injector.inject({ kind: 'dependency_latency', target: 'delivery', intensity: 0.5 });
    expect(injector.tablePlan()).toEqual({ throttleP: expect.closeTo(0.9, 9), errorP: 0, delayMs: 550 });
    expect(injector.clear(throttling.id)).toBe(true);
    expect(injector.clear(throttling.id)).toBe(false);
    expect(plans.at(-1)).toEqual({ throttleP: 0, errorP: 0, delayMs: 550 });
    injector.close();
  });

  it('makes the emulated function fail, throttle, restart and change version as Lambda would, and logs it so', async () => {
    const logs = new LogGroupWriter(join(root, 'emulated'));
    const { injector } = injectorAt(Date.now());
    const emulator = new LambdaEmulator({
      logs,
      coldStartMs: 0,
      wait: async () => {},
      faults: (name, at) => injector.invocationPlan(name, at),
    });
    emulator.register({ functionName: 'grant', handler: async () => 'ok' });
    await emulator.invoke('grant', {});

    const deploy = injector.inject({ kind: 'bad_deploy' });
    await expect(emulator.invoke('grant', {})).rejects.toThrow(/grant failed/);
    injector.clear(deploy.id);
    const memory = injector.inject({ kind: 'memory_saturation', intensity: 1 });
    await expect(emulator.invoke('grant', {})).rejects.toThrow(/grant failed/);
    injector.clear(memory.id);
    injector.inject({ kind: 'throttling' });
    await expect(emulator.invoke('grant', {})).rejects.toThrow();

    expect(emulator.stats('grant')).toMatchObject({ invocations: 3, errors: 2, throttles: 1 });
    const lines = await messagesOf(logs, 'grant');
    const deployed = lines.filter((line) => line.stream.includes('[2]'));
    expect(deployed.map((line) => line.message).join('\n')).toMatch(
      /Invoke Error.*TypeError|TypeError.*Invoke Error/s,
    );
    expect(lines.some((line) => /Runtime exited with error: signal: killed/.test(line.message))).toBe(true);
    const reports = lines.map((line) => line.message).filter((m) => m.includes('platform.report'));
    expect(reports.some((m) => /"maxMemoryUsedMB":2\d\d/.test(m))).toBe(true);
    injector.close();
  });

  it('drops faults once they are over, so a long run holds only those still to come or under way', () => {
    const { injector, clock } = injectorAt();
    const edge = new LocalFaultInjector(
      { ...known, edge: { distributionId: 'EDIST', functionName: 'edge-fn' } },
      () => clock.now,
      () => 0,
    );
    // Half a day of faults, one every 30 s lasting a minute, and one due an hour after them.
    const later = injector.inject({ kind: 'throttling', delayMs: 1_500 * 30_000 + 3_600_000 });
    const held: number[] = [];
    for (let i = 0; i < 1_500; i++) {
      clock.now += 30_000;
      injector.inject({ kind: i % 2 ? 'bad_deploy' : 'throttling', durationMs: 60_000 });
      edge.inject({ kind: 'origin_errors', durationMs: 60_000 });
      // Between injections the plans are asked, as every invocation and request asks them.
      expect(injector.invocationPlan('grant')).toMatchObject({ throttle: true });
      expect(edge.edgePlan()).toMatchObject({ originErrorP: expect.closeTo(0.66, 9) });
      held.push(injector.held(), edge.held());
    }
    // The one just injected, the one before it (still under way), and the one still to come.
    expect(Math.max(...held)).toBeLessThanOrEqual(3);
    expect(injector.list().map((f) => f.id)).toContain(later.id);
    clock.now += 60_000;
    expect(injector.list().map((f) => f.id)).toEqual([later.id]);
    expect(injector.held()).toBe(1);
    expect(edge.list()).toEqual([]);
    expect(edge.held()).toBe(0);
    injector.close();
    edge.close();
  });

  it('starts each bad deploy cold once, and never starts a fault lifted before its start', async () => {
    const { injector, clock } = injectorAt();
    const started: string[] = [];
    const startedAll = new Promise<void>((resolve) =>
      injector.onFaultStart((fault) => {
        started.push(fault.id);
        if (fault.id === control.id) resolve();
      }),
    );
    // Two start timers of the same delay fire in the order they were set: the lifted one's comes first.
    const lifted = injector.inject({ kind: 'bad_deploy', delayMs: 5, durationMs: 60_000 });
    injector.clear(lifted.id);
    const control = injector.inject({ kind: 'bad_deploy', delayMs: 5, durationMs: 60_000 });
    await startedAll;
    expect(started).toEqual([control.id]);
    injector.clear(control.id);
    for (let round = 0; round < 3; round++) {
      injector.inject({ kind: 'bad_deploy', durationMs: 60_000 });
      expect(injector.invocationPlan('grant')).toMatchObject({ version: '2', coldStart: true });
      expect(injector.invocationPlan('grant')?.coldStart).toBeUndefined();
      clock.now += 60_000;
    }
    injector.close();
  });
});

describe('Function: faultRoutes', () => {
  const event = (routeKey: string, sourceIp: string, extra: Partial<APIGatewayProxyEventV2> = {}) =>
    ({ routeKey, requestContext: { http: { sourceIp } }, ...extra }) as unknown as APIGatewayProxyEventV2;
  const routes = (injector: LocalFaultInjector) =>
    Object.fromEntries(faultRoutes(injector).map((route) => [route.routeKey, route.handler]));

  it('injects, lists and lifts faults for loopback callers, with clear errors for bad requests', async () => {
    const { injector } = injectorAt(Date.now());
    const handlers = routes(injector);
    const post = (body: string) =>
      handlers['POST /local/faults']?.(event('POST /local/faults', '127.0.0.1', { body }));
    const created = await post(
      JSON.stringify({ kind: 'cold_start_storm', target: 'catalog', durationS: 60 }),
    );
    expect(created).toMatchObject({ statusCode: 201 });
    const { fault } = JSON.parse(String((created as { body: string }).body)) as {
      fault: { id: string; endMs: number; startMs: number };
    };
    expect(fault.endMs - fault.startMs).toBe(60_000);
    expect(await post('{not json')).toMatchObject({ statusCode: 400 });
    expect(await post(JSON.stringify({ kind: 'meltdown' }))).toMatchObject({ statusCode: 400 });
    const listed = await handlers['GET /local/faults']?.(event('GET /local/faults', '::1'));
    expect(JSON.parse(String((listed as { body: string }).body)).faults).toHaveLength(1);
    const lift = (id: string) =>
      handlers['DELETE /local/faults/{id}']?.(
        event('DELETE /local/faults/{id}', '127.0.0.1', { pathParameters: { id } }),
      );
    expect(await lift(fault.id)).toMatchObject({ statusCode: 200 });
    expect(await lift(fault.id)).toMatchObject({ statusCode: 404 });
    injector.close();
  });

  it('refuses callers from other machines', async () => {
    const { injector } = injectorAt(Date.now());
    const handlers = routes(injector);
    const answer = await handlers['POST /local/faults']?.(
      event('POST /local/faults', '192.0.2.7', { body: JSON.stringify({ kind: 'throttling' }) }),
    );
    expect(answer).toMatchObject({ statusCode: 403 });
    expect(injector.list()).toEqual([]);
  });
});

describe('Function: startEmbeddedDynamo (injected faults)', () => {
  it('answers as DynamoDB does when throttled or failing, and counts what it answered', async () => {
    const dynamo = await startEmbeddedDynamo(join(root, 'dynamo'), 'us-east-1');
    try {
      await dynamo.client.send(new ListTablesCommand({}));
      dynamo.setFault({ throttleP: 1, errorP: 0, delayMs: 0 });
      await expect(dynamo.client.send(new ListTablesCommand({}))).rejects.toMatchObject({
        name: 'ProvisionedThroughputExceededException',
      });
      dynamo.setFault({ throttleP: 0, errorP: 1, delayMs: 0 });
      await expect(dynamo.client.send(new ListTablesCommand({}))).rejects.toMatchObject({
        name: 'InternalServerError',
      });
      dynamo.setFault(undefined);
      await dynamo.client.send(new ListTablesCommand({}));
      const stats = await dynamo.takeStats();
      expect(stats.throttled).toBeGreaterThanOrEqual(1);
      expect(stats.errors).toBeGreaterThanOrEqual(1);
      expect(stats.requests).toBeGreaterThanOrEqual(stats.throttled + stats.errors + 2);
      expect((await dynamo.takeStats()).requests).toBe(0);
    } finally {
      await dynamo.close();
    }
  });
});
