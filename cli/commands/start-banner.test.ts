import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { copilotWalkthrough } from './start-banner.ts';

describe('start: the copilot walkthrough the banner prints', () => {
  const lines = copilotWalkthrough('http://127.0.0.1:4003')
    .split('\n')
    .filter((line) => line.startsWith('  '));

  it('is shell a user can paste: it parses, quotes every URL with a query and has no <placeholder>', () => {
    expect(lines.length).toBeGreaterThan(3);
    const parsed = spawnSync('bash', ['-n'], { input: lines.join('\n'), encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(parsed.status).toBe(0);
    for (const line of lines) {
      expect(line).not.toMatch(/<[a-z]+>/);
      for (const url of line.match(/\S*https?:\/\/\S+\?\S*/g) ?? []) expect(url.startsWith('"')).toBe(true);
    }
  });

  it('rolls back the mitigation it listed, by the id the list returned', () => {
    const text = lines.join('\n');
    expect(text).toContain('| tee active.json');
    expect(text).toMatch(/MITIGATION=\$\(jq -r '\.mitigations\[0\]\.id' active\.json\)/);
    expect(text).toContain('/api/mitigations/$MITIGATION/rollback');
  });
});
