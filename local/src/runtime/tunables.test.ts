import { describe, expect, it } from 'vitest';
import { functionNameOf, provisionedAt } from './tunables.ts';

describe('Function: provisionedAt', () => {
  const pc = {
    baseline: 2,
    schedules: [
      { name: 'evening-peak', schedule: 'cron(30 16 * * ? *)', min: 10, max: 100 },
      { name: 'overnight', schedule: 'cron(0 1 * * ? *)', min: 2, max: 40 },
      { name: 'weekly', schedule: 'cron(0 9 ? * MON *)', min: 50, max: 60 },
    ],
  };
  it('takes the floor of the latest daily window started, yesterday last one before today first', () => {
    expect(provisionedAt(pc, Date.parse('2026-12-01T17:00:00Z'))).toBe(10);
    expect(provisionedAt(pc, Date.parse('2026-12-01T12:00:00Z'))).toBe(2);
    expect(provisionedAt(pc, Date.parse('2026-12-01T00:30:00Z'))).toBe(10);
    expect(provisionedAt({ baseline: 3 }, 0)).toBe(3);
  });
  it('names functions as the runtime registers them', () => {
    expect(functionNameOf('grantAccess')).toBe('delivery-grant-access');
  });
});
