import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureFunctionOutput } from './function-output.ts';
import { LambdaEmulator, logGroupOf, TooManyRequestsError } from './lambda-emulator.ts';
import { readLogGroupEvents } from '@boundless/copilot/telemetry-dir';
import { LogGroupWriter } from '../telemetry/log-groups.ts';

const root = mkdtempSync(join(tmpdir(), 'emulator-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** INIT time that passes only when the test says so, so overlap is decided by the test, not by timing. */
function manualInit() {
  const pending: (() => void)[] = [];
  return {
    wait: () => new Promise<void>((resolve) => pending.push(resolve)),
    finishAll: () => {
      for (const resolve of pending.splice(0)) resolve();
    },
    get pending() {
      return pending.length;
    },
  };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('Class: LambdaEmulator', () => {
  it('pays INIT on the first request, reuses the environment for the next, and logs both', async () => {
    const logs = new LogGroupWriter(join(root, 'a'));
    const emulator = new LambdaEmulator({ logs, coldStartMs: 0 });
    emulator.register({ functionName: 'access', handler: async (event: { n: number }) => event.n * 2 });

    const first = await emulator.invoke<number>('access', { n: 2 });
    const second = await emulator.invoke<number>('access', { n: 3 });

    expect(first).toMatchObject({ result: 4, coldStart: true });
    expect(second).toMatchObject({ result: 6, coldStart: false });
    expect(emulator.stats('access')).toMatchObject({ invocations: 2, coldStarts: 1, environments: 1 });
    await logs.flush();
    const messages: Record<string, unknown>[] = [];
    for await (const event of readLogGroupEvents(logs.root, logGroupOf('access'), 0, Date.now() + 1000)) {
      messages.push(JSON.parse(event.message));
    }
    expect(messages.filter((m) => m.type === 'platform.initStart')).toHaveLength(1);
    expect(messages.filter((m) => m.cold_start === true && m.message === 'INIT')).toHaveLength(1);
    const emf = messages.filter((m) => m._aws !== undefined);
    expect(emf.map((m) => m.ColdStart)).toEqual([1, 0]);
    expect(emf[0]).toMatchObject({ ConcurrentExecutions: 1, ProvisionedConcurrencyUtilization: 0 });
  });

  it('throttles with TooManyRequests beyond the concurrency limit', async () => {
    const release = gate();
    const emulator = new LambdaEmulator({ concurrencyLimit: 1, coldStartMs: 0 });
    emulator.register({ functionName: 'slow', handler: () => release.opened.then(() => 'done') });

    const running = emulator.invoke('slow', {});
    await expect(emulator.invoke('slow', {})).rejects.toBeInstanceOf(TooManyRequestsError);
    release.open();

    await expect(running).resolves.toMatchObject({ result: 'done' });
    expect(emulator.stats('slow')).toMatchObject({ throttles: 1, invocations: 1 });
  });

  it('serves from provisioned environments without a cold start, and the value can change while running', async () => {
    const init = manualInit();
    const emulator = new LambdaEmulator({ wait: init.wait });
    emulator.register({ functionName: 'access', handler: async () => 'ok' });

    const provisioning = emulator.setProvisionedConcurrency('access', 2);
    expect(init.pending).toBe(2);
    init.finishAll();
    await provisioning;
    const served = await Promise.all([emulator.invoke('access', {}), emulator.invoke('access', {})]);

    expect(served.map((invocation) => invocation.coldStart)).toEqual([false, false]);
    expect(emulator.stats('access')).toMatchObject({ coldStarts: 0, provisionedConcurrency: 2 });
    await emulator.setProvisionedConcurrency('access', 0);
    expect(emulator.stats('access')).toMatchObject({ environments: 0, provisionedConcurrency: 0 });
  });

  it('spills over to on-demand cold starts once provisioned environments are busy', async () => {
    const release = gate();
    const emulator = new LambdaEmulator({ coldStartMs: 0 });
    emulator.register({ functionName: 'access', handler: () => release.opened.then(() => 'ok') });
    await emulator.setProvisionedConcurrency('access', 1);

    const both = Promise.all([emulator.invoke('access', {}), emulator.invoke('access', {})]);
    release.open();

    expect((await both).map((invocation) => invocation.coldStart)).toEqual([false, true]);
  });

  it('routes what the handler prints to its log group, not to the terminal', async () => {
    const logs = new LogGroupWriter(join(root, 'b'));
    const emulator = new LambdaEmulator({ logs, coldStartMs: 0 });
    emulator.register({
      functionName: 'printer',
      handler: async () => {
        process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'request', route: 'GET /x' })}\n`);
      },
    });
    const undo = captureFunctionOutput();
    try {
      await emulator.invoke('printer', {});
    } finally {
      undo();
    }
    await logs.flush();
    const lines: string[] = [];
    for await (const event of readLogGroupEvents(logs.root, logGroupOf('printer'), 0, Date.now() + 1000)) {
      lines.push(event.message);
    }
    expect(lines.some((line) => line.includes('"route":"GET /x"'))).toBe(true);
  });

  it('reports a handler error as a failed invocation and counts it', async () => {
    const emulator = new LambdaEmulator({ coldStartMs: 0 });
    emulator.register({
      functionName: 'broken',
      handler: async () => {
        throw new Error('boom');
      },
    });
    await expect(emulator.invoke('broken', {})).rejects.toMatchObject({
      code: 'Unhandled',
      cause: { message: 'boom' },
    });
    expect(emulator.stats('broken').errors).toBe(1);
  });

  it('rejects unknown functions and duplicate registrations with their names', async () => {
    const emulator = new LambdaEmulator();
    emulator.register({ functionName: 'a', handler: async () => 1 });
    expect(() => emulator.register({ functionName: 'a', handler: async () => 2 })).toThrow(/a is already/);
    await expect(emulator.invoke('nope', {})).rejects.toThrow(/nope is not registered/);
  });
});
