/**
 * The per-address scraping state, kept in one flat array of records indexed by the address's id in the
 * address table instead of an object (and a ring and a path buffer) per address. A new address then
 * allocates nothing here, and a request's state is one record at an address computable from the id alone, so
 * it can be read ahead, and on one page: lines come from addresses at random, each page touched costs a
 * translation miss, and the processor walks only a couple of page tables at once. Its times are plain doubles
 * in the record instead of boxes the collector copies (V8 keeps a double-valued object field as a pointer to
 * a box). Ids are reused by later addresses: `start` rewrites a slot's counters and times; the path and the
 * gaps are never cleared, since the counters say how much of them is valid (the path's length, the gap count).
 */
export const STEM_BYTES = 64;

/**
 * A slot's record, in float64 units: eight times and sums, sixteen int32 counters (8 doubles' room), the last
 * asset path (STEM_BYTES), the ring of gaps, then a 256-bit set of the pages seen; rounded up to whole cache
 * lines. The names below are positions from timesAt(slot) (T_, in times) and from countsAt(slot) (N_, in counts).
 */
const COUNTS_FROM = 8;
const STEM_FROM = 16;
const GAPS_FROM = 24;
const PAGE_BITS_DOUBLES = 4;
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
/** Bits of the page set still empty (linear counting of distinct pages). */
export const T_PAGE_ZEROS = 7;
export const N_REQUESTS = 0;
/** Length of the last asset path (UTF-8 bytes), kept in the record or, when longer, in `longStems`. */
export const N_STEM_LENGTH = 1;
/** 1 when the last path lives in `longStems` (never seen in real logs). */
export const N_LONG_STEM = 2;
export const N_THIS_MINUTE = 3;
export const N_LAST_MINUTE = 4;
export const N_GAP_COUNT = 5;
export const N_FAST_RUN = 6;
export const N_CONTAINER_STEPS = 7;
export const N_BUSTERS = 8;
/** Refusals for missing or out-of-scope tokens: probing for content the subject holds no grant for. */
export const N_PROBES = 9;
/** Slots 10 and 12 are free (they counted tokens per address, which account-level detection now owns). */
export const N_FIRED = 11;
/** A hash of the first account seen at the address, and how many accounts (counted up to two). */
export const N_ACCOUNT = 13;
export const N_ACCOUNTS = 14;
/** Token-less requests: the user agent class of the first, and the empty bits of the page set. */
export const N_AGENT = 15;
const COUNTERS = 16;

export class ScrapeSlabs {
  /** float64 units per slot. */
  readonly slotDoubles: number;
  /** The records as times, as counters and as bytes (one buffer). */
  times: Float64Array;
  counts: Int32Array;
  bytes: Uint8Array;
  /** Paths longer than STEM_BYTES, by slot. */
  readonly longStems = new Map<number, Uint8Array>();

  constructor(readonly gapsPerSlot: number) {
    this.slotDoubles = Math.ceil((GAPS_FROM + gapsPerSlot + PAGE_BITS_DOUBLES) / 8) * 8;
    this.times = new Float64Array(1024 * this.slotDoubles);
    this.counts = new Int32Array(this.times.buffer);
    this.bytes = new Uint8Array(this.times.buffer);
  }

  get capacity(): number {
    return this.times.length / this.slotDoubles;
  }

  /** Where slot's times start in `times`. */
  timesAt(slot: number): number {
    return slot * this.slotDoubles;
  }

  /** Where slot's counters start in `counts`. */
  countsAt(slot: number): number {
    return (slot * this.slotDoubles + COUNTS_FROM) * 2;
  }

  /** Where slot's last asset path starts in `bytes` (when it is no longer than STEM_BYTES). */
  stemAt(slot: number): number {
    return (slot * this.slotDoubles + STEM_FROM) * 8;
  }

  /** Where slot's gaps start in `times` (gapsPerSlot of them). */
  gapsAt(slot: number): number {
    return slot * this.slotDoubles + GAPS_FROM;
  }

  /** Where slot's set of seen pages starts in `counts` (8 words, 256 bits). */
  pagesAt(slot: number): number {
    return (slot * this.slotDoubles + GAPS_FROM + this.gapsPerSlot) * 2;
  }

  /** Makes room for slot (ids are dense: grown by doubling, contents kept). */
  ensure(slot: number): void {
    let capacity = this.capacity;
    if (slot < capacity) return;
    while (capacity <= slot) capacity *= 2;
    const times = new Float64Array(capacity * this.slotDoubles);
    times.set(this.times);
    this.times = times;
    this.counts = new Int32Array(times.buffer);
    this.bytes = new Uint8Array(times.buffer);
  }

  /** A new address in `slot`, first seen at t. */
  start(slot: number, t: number): void {
    this.ensure(slot);
    const d = this.timesAt(slot);
    const times = this.times;
    times[d + T_FIRST_SEEN] = t;
    times[d + T_LAST_SEEN] = t;
    times[d + T_LAST_GAP] = t;
    times[d + T_MINUTE_START] = t;
    times[d + T_WINDOW_START] = t;
    times[d + T_GAP_SUM] = 0;
    times[d + T_GAP_SQUARES] = 0;
    times[d + T_PAGE_ZEROS] = 256;
    const n = this.countsAt(slot);
    const counts = this.counts;
    if (counts[n + N_LONG_STEM] !== 0) this.longStems.delete(slot);
    for (let i = n; i < n + COUNTERS; i++) counts[i] = 0;
    const pages = this.pagesAt(slot);
    for (let i = pages; i < pages + 8; i++) counts[i] = 0;
  }
}
