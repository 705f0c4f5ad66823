import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogGroupEvents } from '@boundless/copilot/telemetry-dir';
import { BatchedAppender } from './batched-appender.ts';
import { LogGroupWriter } from './log-groups.ts';

const root = mkdtempSync(join(tmpdir(), 'log-groups-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Class: LogGroupWriter (messages built when the batch is written)', () => {
  it('builds a lazy message only when its batch is written, in the order the events were appended', async () => {
    const logs = new LogGroupWriter(join(root, 'lazy'));
    let built = 0;
    const at = Date.UTC(2026, 10, 2, 9, 0, 0);
    logs.append('/aws/lambda/grant', 'stream-1', 'START', at);
    logs.append(
      '/aws/lambda/grant',
      'stream-1',
      () => {
        built += 1;
        return JSON.stringify({ type: 'platform.report', record: { requestId: 'r-1' } });
      },
      at + 1,
    );
    logs.append('/aws/lambda/grant', 'stream-1', 'END "quoted"', at + 2);
    expect(built).toBe(0);
    await logs.flush();
    expect(built).toBe(1);
    const events = [];
    for await (const event of readLogGroupEvents(logs.root, '/aws/lambda/grant', at, at + 10))
      events.push(event);
    expect(events.map((e) => e.message)).toEqual([
      'START',
      '{"type":"platform.report","record":{"requestId":"r-1"}}',
      'END "quoted"',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    await logs.close();
  });
});

describe('Class: BatchedAppender', () => {
  it('writes the other lines of a batch when one cannot be built, and the next flush says why', async () => {
    const appender = new BatchedAppender();
    const file = join(root, 'broken.log');
    appender.append(file, 'first');
    appender.append(file, () => {
      throw new Error('cannot build this line');
    });
    appender.append(file, () => 'third');
    await expect(appender.flush()).rejects.toThrow('cannot build this line');
    expect(readFileSync(file, 'utf8')).toBe('first\nthird\n');
    await appender.close();
  });
});
