import { describe, expect, it } from 'vitest';
import { ApiError, retryOnce } from './client.ts';

describe('retryOnce', () => {
  it('tries a network failure, a throttle or a server error once more', () => {
    for (const status of [0, 429, 500, 503]) {
      expect(retryOnce(0, new ApiError(status, 'x', 'x'))).toBe(true);
      expect(retryOnce(1, new ApiError(status, 'x', 'x'))).toBe(false);
    }
    expect(retryOnce(0, new TypeError('failed to fetch'))).toBe(true);
  });

  it('does not ask again what the copilot refused: signed out, forbidden, not found, bad request', () => {
    for (const status of [400, 401, 403, 404, 409])
      expect(retryOnce(0, new ApiError(status, 'x', 'x'))).toBe(false);
  });
});
