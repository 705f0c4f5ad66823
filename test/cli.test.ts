import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/boundless.mjs', import.meta.url));

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

describe('Command: boundless', () => {
  it('lists its commands in --help and exits 0', () => {
    const result = boundless('--help');
    expect(result.status).toBe(0);
    for (const command of ['start', 'detect', 'anomalies', 'prewarm', 'eval']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('rejects an unknown command with a non-zero exit and a hint', () => {
    const result = boundless('frobnicate');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('unknown command');
  });
});
