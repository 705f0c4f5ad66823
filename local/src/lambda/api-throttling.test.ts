import { describe, expect, it } from 'vitest';
import { ApiThrottling } from './api-throttling.ts';

describe('Class: ApiThrottling', () => {
  it('admits a burst, then the steady rate, per route, and follows new limits at once', () => {
    const throttling = new ApiThrottling({
      default: { rateLimit: 1, burstLimit: 1 },
      routes: { 'POST /v1/access': { rateLimit: 10, burstLimit: 5 } },
    });
    const admitted = (route: string, at: number, n: number) =>
      Array.from({ length: n }, () => throttling.admit(route, at)).filter(Boolean).length;
    expect(admitted('POST /v1/access', 0, 8)).toBe(5);
    expect(admitted('POST /v1/access', 500, 8)).toBe(5);
    expect(admitted('GET /v1/devices', 0, 3)).toBe(1);
    expect(throttling.throttledCounts()).toEqual({ 'POST /v1/access': 6, 'GET /v1/devices': 2 });
    throttling.set({ default: { rateLimit: 100, burstLimit: 100 } });
    expect(admitted('POST /v1/access', 1000, 20)).toBe(20);
    expect(admitted('POST /v1/access', 2000, 200)).toBe(100);
  });

  it('admits everything without settings', () => {
    const throttling = new ApiThrottling();
    expect(Array.from({ length: 1000 }, () => throttling.admit('GET /x', 0)).every(Boolean)).toBe(true);
  });
});
