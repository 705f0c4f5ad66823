/**
 * A spike carried by a grant: the networks of one country that read through grants already found shared, each
 * read in that country alone and none by a reader found scraping (a proxy pool's exits in one country are one
 * scraper; engine.ts). Such a grant is many readers, not one (token sharing said so), yet the audience
 * counts it once: its networks say how many it carries. Kept per country, made only for a country that has
 * such a grant, and bounded (a slot per network hash, the minute it last read).
 */
import type { Place } from './token-places.ts';

/** Minutes of the long window: a grant read from a handful of networks a minute carries a country over it. */
export const CARRIED_WINDOW_MINUTES = 10;
const SLOTS = 256;

/**
 * True when every place of the grant outside hosting networks is in `country`: a grant read across countries
 * (a ring, a proxy pool, a traveller) carries none of them.
 */
export function readInOneCountry(places: readonly Place[], country: string): boolean {
  let inCountry = 0;
  for (let i = 0; i < places.length; i++) {
    const p = places[i]!;
    if (p.hosting) continue;
    if (p.country !== country) return false;
    inCountry++;
  }
  return inCountry > 0;
}

/** Distinct networks read through one country's carried grants over the long window (linear counting). */
export class CarriedNetworks {
  /** The minute each slot's network last read, or -1. */
  private readonly lastMinute = new Int32Array(SLOTS).fill(-1);

  /** Counts a network reading at `minute`; true when it is new to the window. */
  add(networkHash: number, minute: number): boolean {
    const slot = networkHash & (SLOTS - 1);
    const fresh = this.lastMinute[slot]! <= minute - CARRIED_WINDOW_MINUTES;
    this.lastMinute[slot] = minute;
    return fresh;
  }

  /** Distinct networks that read in the window ending at `minute`. */
  count(minute: number): number {
    let empty = 0;
    const since = minute - CARRIED_WINDOW_MINUTES;
    for (let i = 0; i < SLOTS; i++) if (this.lastMinute[i]! <= since) empty++;
    if (empty === 0) return Math.round(SLOTS * Math.log(SLOTS));
    return Math.round(-SLOTS * Math.log(empty / SLOTS));
  }
}
