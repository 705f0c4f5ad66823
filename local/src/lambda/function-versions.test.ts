import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaEmulator } from './lambda-emulator.ts';
import { LogGroupWriter } from '../telemetry/log-groups.ts';

describe('Class: LambdaEmulator versions and alias', () => {
  it('routes the canary share evenly to the new version and moves provisioned concurrency with the alias', async () => {
    const logs = new LogGroupWriter(mkdtempSync(join(tmpdir(), 'versions-')));
    const emulator = new LambdaEmulator({ logs, coldStartMs: 0 });
    emulator.register({ functionName: 'fn', handler: async () => 'old' });
    await emulator.setProvisionedConcurrency('fn', 2);
    emulator.publishVersion('fn', 'v2', { wrap: (handler) => async (e, c) => `new:${await handler(e, c)}` });
    expect(() => emulator.publishVersion('fn', 'v2')).toThrow(/already published/);
    await emulator.routeAlias('fn', { version: '$LATEST', additional: { version: 'v2', weight: 0.1 } });
    const results: string[] = [];
    for (let i = 0; i < 50; i++) results.push((await emulator.invoke<string>('fn', {})).result);
    expect(results.filter((r) => r === 'new:old')).toHaveLength(5);
    expect(emulator.versionStats('fn').map((v) => [v.version, v.invocations])).toEqual([
      ['$LATEST', 45],
      ['v2', 5],
    ]);
    await emulator.routeAlias('fn', { version: 'v2' });
    expect(emulator.stats('fn').provisionedConcurrency).toBe(2);
    expect((await emulator.invoke<string>('fn', {})).result).toBe('new:old');
    emulator.setMemory('fn', 512);
    expect(emulator.memoryOf('fn')).toBe(512);
    expect(() => emulator.setMemory('fn', 64)).toThrow(/128..10240/);
    await expect(emulator.routeAlias('fn', { version: 'v3' })).rejects.toThrow(/no version v3/);
  });
});
