/**
 * The per-address scraping state, kept in flat arrays indexed by the address's id in the address table
 * instead of an object (and a ring and a path buffer) per address. A new address then allocates nothing
 * here, a request's state sits at addresses computable from the id alone (so it can be read ahead), and its
 * times are plain doubles in the slab instead of boxes the collector copies and a request reaches through one
 * more dependent load each (V8 keeps a double-valued object field as a pointer to a box). Ids are reused by
 * later addresses: `start` rewrites a slot's counters and times; the path and the gaps are never cleared,
 * since the counters say how much of them is valid (the path's length and the gap count).
 */
export const STEM_BYTES = 64;

/**
 * Each slot owns one 128-byte record (two cache lines): eight float64 times and sums, then sixteen int32
 * counters. The names below are positions within the slot's float64 part (T_) and int32 part (N_).
 */
export const SLOT_DOUBLES = 16;
export const SLOT_INTS = 32;
const INTS_FROM = 16;
export const T_FIRST_SEEN = 0;
export const T_LAST_SEEN = 1;
/** Time of the last move to another asset: the start of the next gap. */
export const T_LAST_GAP = 2;
/** Start of the current minute, for a sliding per-minute rate. */
export const T_MINUTE_START = 3;
/** Start of the current breadth window (cache busters and probes). */
export const T_WINDOW_START = 4;
/** Running sums over the gap ring, for the coefficient of variation. */
export const T_GAP_SUM = 5;
export const T_GAP_SQUARES = 6;
export const N_REQUESTS = INTS_FROM + 0;
/** Length of the last asset path (UTF-8 bytes), kept in `stems` or, when longer than a slot, in `longStems`. */
export const N_STEM_LENGTH = INTS_FROM + 1;
/** 1 when the last path lives in `longStems` (never seen in real logs). */
export const N_LONG_STEM = INTS_FROM + 2;
export const N_THIS_MINUTE = INTS_FROM + 3;
export const N_LAST_MINUTE = INTS_FROM + 4;
export const N_GAP_COUNT = INTS_FROM + 5;
export const N_FAST_RUN = INTS_FROM + 6;
export const N_CONTAINER_STEPS = INTS_FROM + 7;
export const N_BUSTERS = INTS_FROM + 8;
/** Refusals for missing or out-of-scope tokens: probing for content the subject holds no grant for. */
export const N_PROBES = INTS_FROM + 9;
/** Distinct tokens seen, counted up to two (only "one token or several" matters). */
export const N_TOKENS = INTS_FROM + 10;
export const N_FIRED = INTS_FROM + 11;

export class ScrapeSlabs {
  /** Slot i's last asset path: stems[i * STEM_BYTES, i * STEM_BYTES + length), when length ≤ STEM_BYTES. */
  stems = new Uint8Array(1024 * STEM_BYTES);
  /** Slot i's gaps: gaps[i * gapsPerSlot, (i + 1) * gapsPerSlot). */
  gaps: Float64Array;
  /** Slot i's times at times[i * SLOT_DOUBLES + T_...], its counters at counts[i * SLOT_INTS + N_...]. */
  times = new Float64Array(1024 * SLOT_DOUBLES);
  counts = new Int32Array(this.times.buffer);
  /** Slot i's last token id (compared by identity first: the engine hands over the token's own string). */
  lastTokenIds: string[] = new Array<string>(1024).fill('');
  /** Paths longer than STEM_BYTES, by slot. */
  readonly longStems = new Map<number, Uint8Array>();

  constructor(readonly gapsPerSlot: number) {
    this.gaps = new Float64Array(1024 * gapsPerSlot);
  }

  /** Makes room for slot (ids are dense: grown by doubling, contents kept). */
  ensure(slot: number): void {
    let capacity = this.stems.length / STEM_BYTES;
    if (slot < capacity) return;
    const before = capacity;
    while (capacity <= slot) capacity *= 2;
    const stems = new Uint8Array(capacity * STEM_BYTES);
    stems.set(this.stems);
    this.stems = stems;
    const gaps = new Float64Array(capacity * this.gapsPerSlot);
    gaps.set(this.gaps);
    this.gaps = gaps;
    const times = new Float64Array(capacity * SLOT_DOUBLES);
    times.set(this.times);
    this.times = times;
    this.counts = new Int32Array(times.buffer);
    for (let i = before; i < capacity; i++) this.lastTokenIds.push('');
  }

  /** A new address in `slot`, first seen at t. */
  start(slot: number, t: number): void {
    this.ensure(slot);
    const d = slot * SLOT_DOUBLES;
    const times = this.times;
    times[d + T_FIRST_SEEN] = t;
    times[d + T_LAST_SEEN] = t;
    times[d + T_LAST_GAP] = t;
    times[d + T_MINUTE_START] = t;
    times[d + T_WINDOW_START] = t;
    times[d + T_GAP_SUM] = 0;
    times[d + T_GAP_SQUARES] = 0;
    const n = slot * SLOT_INTS;
    if (this.counts[n + N_LONG_STEM] !== 0) this.longStems.delete(slot);
    const counts = this.counts;
    for (let i = n + INTS_FROM; i < n + SLOT_INTS; i++) counts[i] = 0;
    this.lastTokenIds[slot] = '';
  }
}
