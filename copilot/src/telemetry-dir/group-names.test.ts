import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLogGroups, readTelemetryDirectory } from './index.ts';

// DESIGN §4.4: a converter can write the telemetry directory from anyone's telemetry; a group.json written as a
// bare JSON string, or left out, must not lose the group's logs.
describe('Telemetry directory: log group names', () => {
  const root = mkdtempSync(join(tmpdir(), 'group-names-'));
  const logs = join(root, 'logs');
  const at = Date.UTC(2026, 2, 8, 12);
  const write = (dir: string, meta: string | undefined) => {
    mkdirSync(join(logs, dir), { recursive: true });
    if (meta !== undefined) writeFileSync(join(logs, dir, 'group.json'), meta);
    const event = { id: `${dir}-1`, timestamp: at, logStream: 's', message: `hello from ${dir}` };
    writeFileSync(join(logs, dir, '2026-03-08.log'), `${JSON.stringify(event)}\n`);
  };
  write('aws_lambda_ours', JSON.stringify({ logGroupName: '/aws/lambda/ours' }));
  write('aws_ecs_theirs', JSON.stringify('/aws/ecs/theirs'));
  write('payments', undefined);
  write('broken', '{"logGroupName": ');

  it('reads {"logGroupName"}, a bare string, and falls back to the directory name', async () => {
    const reasons: string[] = [];
    const groups = await listLogGroups(logs, (reason) => reasons.push(reason));
    expect(groups.map((g) => g.logGroupName)).toEqual([
      '/aws/ecs/theirs',
      '/aws/lambda/ours',
      'broken',
      'payments',
    ]);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/without a readable group.json \(its directory name used\)/);
  });

  it('diagnosis reads every group’s events', async () => {
    const snapshot = await readTelemetryDirectory(root, { startMs: at - 60_000, endMs: at });
    expect(snapshot.logs.map((record) => record.group).sort()).toEqual([
      '/aws/ecs/theirs',
      '/aws/lambda/ours',
      'broken',
      'payments',
    ]);
  });
});
