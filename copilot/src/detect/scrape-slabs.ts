/**
 * The bulky per-address scraping state, the last asset path and the ring of inter-arrival gaps, kept in two
 * flat arrays indexed by the address's id in the address table instead of two typed arrays per address. A
 * new address then allocates nothing here (a Float64Array of its own cost an off-heap buffer the collector had
 * to track and sweep), and a request's path and gap sit at addresses computable from the id alone, so they
 * can be read ahead. Ids are reused by later addresses: a state says how much of its slot is valid (its path
 * length and gap count), so a slot is never cleared.
 */
export const STEM_BYTES = 64;

export class ScrapeSlabs {
  /** Slot i's last asset path: stems[i * STEM_BYTES, i * STEM_BYTES + length), when length ≤ STEM_BYTES. */
  stems = new Uint8Array(1024 * STEM_BYTES);
  /** Slot i's gaps: gaps[i * gapsPerSlot, (i + 1) * gapsPerSlot). */
  gaps: Float64Array;

  constructor(readonly gapsPerSlot: number) {
    this.gaps = new Float64Array(1024 * gapsPerSlot);
  }

  /** Makes room for slot (ids are dense: grown by doubling, contents kept). */
  ensure(slot: number): void {
    let capacity = this.stems.length / STEM_BYTES;
    if (slot < capacity) return;
    while (capacity <= slot) capacity *= 2;
    const stems = new Uint8Array(capacity * STEM_BYTES);
    stems.set(this.stems);
    this.stems = stems;
    const gaps = new Float64Array(capacity * this.gapsPerSlot);
    gaps.set(this.gaps);
    this.gaps = gaps;
  }
}
