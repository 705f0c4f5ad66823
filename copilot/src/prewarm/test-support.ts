import { mulberry32 as seededRandom } from '@boundless/common/random';
import type { DemandMinute } from './demand.ts';

const START = Date.UTC(2024, 0, 1);

/** A service with a daily cycle, noisy minutes and a release burst at 18:00 every day. */
export function dailyDemand(days: number, seed = 11): DemandMinute[] {
  const random = seededRandom(seed);
  return Array.from({ length: days * 1440 }, (_, i) => {
    const time = START + i * 60_000;
    const minuteOfDay = i % 1440;
    const daily = 3000 + 2000 * Math.sin(((minuteOfDay / 60 - 9) / 24) * 2 * Math.PI);
    const release = minuteOfDay >= 18 * 60 && minuteOfDay < 18 * 60 + 30 ? 3 : 1;
    const requests = daily * release * (0.9 + 0.2 * random());
    return { time, timestamp: new Date(time).toISOString(), requests, peakRps: (requests / 60) * 1.3 };
  });
}
