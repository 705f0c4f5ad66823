import { describe, expect, it } from 'vitest';
import { RANGES, widenRanges } from './profiles.ts';

describe('widenRanges (the development stress ranges)', () => {
  const wide = widenRanges(RANGES.development);

  it('widens every span [a, b] to [a/2, 2b]', () => {
    expect(wide.reader.sessionMinutes).toEqual([7.5, 80]);
    expect(wide.abuse.humanPaced.gapSeconds).toEqual([7.5, 90]);
    expect(wide.abuse.credentialSharing.sharers).toEqual([3, 32]);
  });

  it('caps shares at 1 and keeps flight speeds', () => {
    expect(wide.reader.vpn.sessionShare).toEqual([0.15, 1]);
    expect(wide.abuse.slowEnumeration.shareOfTitle).toEqual([0.25, 1]);
    expect(wide.reader.travel.cruiseKmh).toEqual(RANGES.development.reader.travel.cruiseKmh);
    expect(wide.reader.travel.airportHours).toEqual([0.75, 6]);
  });

  it('leaves the profile it widens untouched', () => {
    expect(RANGES.development.reader.sessionMinutes).toEqual([15, 40]);
  });
});
