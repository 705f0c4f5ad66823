import { describe, expect, it } from 'vitest';
import { type AccountState, newAccountState } from './account-devices.ts';
import { countriesAtOnce } from './account-places.ts';
import { detectorConfig } from './config.ts';
import type { Place, TokenSharingState } from './token-places.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 8);
const config = detectorConfig();

function place(country: string, hosting = false): Place {
  return {
    network: `net-${country}`,
    asn: country.charCodeAt(0),
    country,
    hosting,
    agent: 1,
    firstMs: T0,
    lastMs: T0,
    requests: 1,
    travel: undefined,
    from: undefined,
    returned: false,
  };
}

/** A token of `device` reading from `country` (undefined: no country known) between two times. */
function token(
  device: string,
  country: string | undefined,
  firstMs: number,
  lastMs: number,
  hosting = false,
) {
  const current = country === undefined ? undefined : place(country, hosting);
  const state: TokenSharingState = {
    firstSeenMs: firstMs,
    lastSeenMs: lastMs,
    deviceHash: device,
    requests: 2,
    nextAccountCheck: 4,
    places: current === undefined ? [] : [current],
    placeCount: current === undefined ? 0 : 1,
    current,
    alternations: 0,
    lastAlternationMs: 0,
    forbidden: 0,
    forbiddenSinceMs: 0,
    tokenFlags: 0,
  };
  return state;
}

function account(): AccountState {
  return newAccountState(T0);
}

describe('countriesAtOnce: one account read in several countries at the same time', () => {
  it('counts separate devices in two countries reading together, and remembers both tokens', () => {
    const s = account();
    const tokens = [token('d1', 'US', T0, T0 + 20 * MIN), token('d2', 'DE', T0 + 5 * MIN, T0 + 25 * MIN)];
    expect(countriesAtOnce(config, s, tokens, T0 + 25 * MIN)).toEqual({
      countries: 2,
      devices: 2,
      times: 2,
      overlapMs: 15 * MIN,
      readOnMs: 15 * MIN,
    });
    expect(s.atOnce).toEqual(tokens);
  });

  it('leaves one device in two countries to the travel family', () => {
    const s = account();
    const tokens = [token('d1', 'US', T0, T0 + 20 * MIN), token('d1', 'DE', T0 + 5 * MIN, T0 + 25 * MIN)];
    expect(countriesAtOnce(config, s, tokens, T0 + 25 * MIN).countries).toBe(0);
    expect(s.atOnce).toEqual([]);
  });

  it('skips tokens with no country, or reading through a hosting network, without failing', () => {
    const s = account();
    const tokens = [
      token('d1', 'US', T0, T0 + 20 * MIN),
      token('d2', undefined, T0, T0 + 20 * MIN),
      token('d3', '', T0, T0 + 20 * MIN),
      token('d4', 'NL', T0, T0 + 20 * MIN, true),
    ];
    expect(countriesAtOnce(config, s, tokens, T0 + 20 * MIN)).toEqual({
      countries: 0,
      devices: 0,
      times: 0,
      overlapMs: 0,
      readOnMs: 0,
    });
    expect(s.atOnce).toEqual([]);
  });

  it('counts a hand-over within the sharing window, not one after it', () => {
    const within = [
      token('d1', 'US', T0, T0 + 10 * MIN),
      token('d2', 'DE', T0 + 10 * MIN + config.sharingWindowMs - 1, T0 + 40 * MIN),
    ];
    expect(countriesAtOnce(config, account(), within, T0 + 40 * MIN).countries).toBe(2);
    const after = [
      token('d1', 'US', T0, T0 + 10 * MIN),
      token('d2', 'DE', T0 + 10 * MIN + config.sharingWindowMs, T0 + 40 * MIN),
    ];
    expect(countriesAtOnce(config, account(), after, T0 + 40 * MIN).countries).toBe(0);
  });

  it('measures how long the first reading went on after the other began, though the other was seen only at its start', () => {
    // The US device reads on for twenty minutes after the German one opened its title with a few pages at once
    // (its next page comes later): together they overlap only those seconds, yet two people read at once.
    const tokens = [
      token('d1', 'US', T0, T0 + 30 * MIN),
      token('d2', 'DE', T0 + 10 * MIN, T0 + 10 * MIN + 4_000),
    ];
    const atOnce = countriesAtOnce(config, account(), tokens, T0 + 30 * MIN);
    expect([atOnce.overlapMs, atOnce.readOnMs]).toEqual([4_000, 20 * MIN]);
    // A hand-over: the first device's last page lands as the other's first opens.
    const handOver = [
      token('d1', 'US', T0, T0 + 10 * MIN + 2_000),
      token('d2', 'DE', T0 + 10 * MIN, T0 + 30 * MIN),
    ];
    expect(countriesAtOnce(config, account(), handOver, T0 + 30 * MIN).readOnMs).toBe(2_000);
  });

  it('forgets, for the count of countries now, tokens idle longer than the account window', () => {
    const s = account();
    const tokens = [token('d1', 'US', T0, T0 + 20 * MIN), token('d2', 'DE', T0 + 5 * MIN, T0 + 25 * MIN)];
    countriesAtOnce(config, s, tokens, T0 + 25 * MIN);
    // Both readings are over: nothing is read at once now, though the account remembers it happened.
    const later = T0 + 25 * MIN + config.accountWindowMs + 1;
    expect(countriesAtOnce(config, s, tokens, later).countries).toBe(0);
    // A device reading in the US since then (and moved to France now) is no longer compared with the German
    // reading that ended.
    const now = token('d3', 'US', T0 + 20 * MIN, later);
    const moved = token('d3', 'FR', later - MIN, later);
    expect(countriesAtOnce(config, s, [now, ...tokens, moved], later).countries).toBe(0);
    expect(s.atOnce).toHaveLength(2);
  });

  it('remembers each token once and at most eight of them: memory per account stays bounded', () => {
    const s = account();
    const tokens: TokenSharingState[] = [];
    for (let i = 0; i < 12; i++) {
      tokens.push(token(`d${i}`, i % 2 === 0 ? 'US' : 'DE', T0 + i * MIN, T0 + 15 * MIN));
    }
    const first = countriesAtOnce(config, s, tokens, T0 + 15 * MIN);
    expect(first.times).toBe(8);
    expect(first.devices).toBe(12);
    countriesAtOnce(config, s, tokens, T0 + 16 * MIN);
    expect(s.atOnce).toHaveLength(8);
    expect(new Set(s.atOnce).size).toBe(8);
  });
});
