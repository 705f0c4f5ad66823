import { ownString } from './types.ts';

/**
 * State per active subject (token, account, IP) with eviction of idle subjects, so memory follows the active
 * population rather than the history. Two generations: subjects live in `current`; when event time passes a
 * generation boundary, `previous` (untouched for a whole generation) is dropped at once and `current` becomes
 * `previous`. A subject seen again is promoted back. No per-entry deletes: those leave holes in a Map that
 * make later iteration and growth slow, and dropping a whole generation is O(1) for the detector.
 */
export class SubjectTable<S extends { lastSeenMs: number }> {
  private current = new Map<string, S>();
  private previous = new Map<string, S>();
  private generationEndMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly idleMs: number,
    private readonly create: (key: string, timestampMs: number) => S,
  ) {}

  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** The subject's state, created on first sight; an idle subject starts over (a new episode). */
  get(key: string, timestampMs: number): S {
    if (timestampMs >= this.generationEndMs) this.rotate(timestampMs);
    let entry = this.current.get(key);
    if (entry === undefined) {
      entry = this.previous.get(key);
      if (entry !== undefined) this.current.set(key, entry);
    }
    if (entry === undefined || timestampMs - entry.lastSeenMs > this.idleMs) {
      const owned = ownString(key);
      entry = this.create(owned, timestampMs);
      this.current.set(owned, entry);
    }
    return entry;
  }

  peek(key: string): S | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  private rotate(timestampMs: number): void {
    // Everything in `previous` was last seen before the boundary just passed, over one generation ago: idle.
    // After a long gap in event time, `current` is idle as well.
    const longGap = timestampMs >= this.generationEndMs + this.idleMs;
    this.previous = longGap ? new Map() : this.current;
    this.current = new Map();
    this.generationEndMs = timestampMs + this.idleMs;
  }
}
