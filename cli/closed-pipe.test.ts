import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/boundless.mjs', import.meta.url));

describe('Command line: output into a pipe the reader has closed', () => {
  it('stops quietly, exit code 0, as `boundless help report | head -1` does', async () => {
    const child = spawn(process.execPath, [BIN, 'help', 'report'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before the first line: every write the command makes meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
