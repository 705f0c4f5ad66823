import { describe, expect, it } from 'vitest';
import { describeSubject, evidenceLines } from './evidence.ts';

describe('Function: evidenceLines', () => {
  it('says why first, names countries and lists networks with their requests', () => {
    const lines = evidenceLines({
      networks: [{ network: 'Example ISP', asn: 64500, country: 'DE', requests: 12 }],
      reasons: ['impossible_travel', 'concurrent_networks'],
      countries: ['DE', 'BR'],
      activeDevices: 4,
      windowSeconds: 600,
      lastSeen: '2026-12-05T10:00:00Z',
    });
    expect(lines[0]).toEqual({ label: 'Why', value: ['Impossible travel', 'Concurrent networks'] });
    expect(lines.find((l) => l.label === 'Networks')?.value).toEqual([
      'Example ISP · AS64500 · Germany (DE) · requests 12',
    ]);
    expect(lines.find((l) => l.label === 'Countries')?.value).toEqual(['Germany (DE)', 'Brazil (BR)']);
    expect(lines.find((l) => l.label === 'Window seconds')?.value).toBe('600 s');
    expect(lines.find((l) => l.label === 'Last seen')?.value).not.toContain('T10:00');
  });

  it('describes a subject in words', () => {
    expect(describeSubject({ accountId: 'reader-1', ip: '203.0.113.9' })).toBe(
      'account reader-1, address 203.0.113.9',
    );
    expect(describeSubject({})).toBe('—');
    expect(describeSubject({ functionName: 'delivery-list-devices' })).toBe('function delivery-list-devices');
  });
});
