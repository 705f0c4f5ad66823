/**
 * What the audience opens, for telling a release from a country's own spike. A release is one title that new
 * readers in many countries open at once: a country it lifts more than the others (its hour is their morning,
 * theirs is night) rises on that title, while the title rises everywhere else too. A country's own spike (a link
 * going round one market, a leaked grant) reads titles of its own. A title is a grant's scope (titles.ts), so only
 * tokened readers name one.
 *
 * Readers of each title a minute, across all countries, are counted in a count-min sketch per minute over the last
 * hour and a little more (an upper bound, never an undercount; its width keeps a title's excess from others'
 * collisions small beside a release's hundreds); each country keeps the few titles most of its readers opened in
 * the current and the previous minute (Misra-Gries, a lower bound).
 */
const WIDTH_BITS = 10;
const WIDTH = 1 << WIDTH_BITS;
const DEPTH = 2;
/** Minutes kept: the two judged and the hour before them. */
const RING = 64;
/** Titles a country's minute keeps: a release's or a spike's title is among the first few. */
const TALLY = 6;

/** Readers of each title a minute, across countries, for the last RING minutes. */
export class TitleReaders {
  private readonly counts = new Uint32Array(RING * DEPTH * WIDTH);
  private minute = -1;

  /** One reader new this minute in a country, opening `title` (a nonzero 32-bit key, titles.ts). */
  add(title: number, minute: number): void {
    this.roll(minute);
    const base = (minute % RING) * DEPTH * WIDTH;
    for (let d = 0; d < DEPTH; d++) this.counts[base + d * WIDTH + slot(title, d)]!++;
  }

  /** Readers of `title` in `minute` (an upper bound), 0 for a minute outside the ring. */
  count(title: number, minute: number): number {
    if (minute > this.minute || minute <= this.minute - RING) return 0;
    const base = (minute % RING) * DEPTH * WIDTH;
    let least = Number.MAX_SAFE_INTEGER;
    for (let d = 0; d < DEPTH; d++) least = Math.min(least, this.counts[base + d * WIDTH + slot(title, d)]!);
    return least;
  }

  /** Mean readers of `title` a minute over the `minutes` (at most RING - 2) before `before`. */
  meanBefore(title: number, before: number, minutes: number): number {
    let sum = 0;
    for (let m = before - minutes; m < before; m++) sum += this.count(title, m);
    return sum / minutes;
  }

  /** Moves to `minute`, clearing the minutes it passes (their counts belong to minutes long gone). */
  roll(minute: number): void {
    if (minute <= this.minute) return;
    const from = Math.max(this.minute + 1, minute - RING + 1);
    for (let m = from; m <= minute; m++) {
      const base = (m % RING) * DEPTH * WIDTH;
      this.counts.fill(0, base, base + DEPTH * WIDTH);
    }
    this.minute = minute;
  }
}

/** Column of a title's key in row `d`: the key's bits mixed differently per row. */
function slot(title: number, d: number): number {
  return Math.imul(title ^ (d * 0x27d4eb2f), 0x9e3779b1) >>> (32 - WIDTH_BITS);
}

/** The titles most of a country's readers opened in a minute: a Misra-Gries tally of TALLY keys. */
class MinuteTally {
  readonly keys = new Int32Array(TALLY);
  readonly counts = new Int32Array(TALLY);

  add(title: number): void {
    const keys = this.keys;
    const counts = this.counts;
    let free = -1;
    for (let i = 0; i < TALLY; i++) {
      if (counts[i]! > 0 && keys[i] === title) {
        counts[i]!++;
        return;
      }
      if (counts[i] === 0 && free < 0) free = i;
    }
    if (free >= 0) {
      keys[free] = title;
      counts[free] = 1;
      return;
    }
    for (let i = 0; i < TALLY; i++) counts[i]!--;
  }

  /** Readers of `title` tallied (a lower bound). */
  of(title: number): number {
    for (let i = 0; i < TALLY; i++) if (this.counts[i]! > 0 && this.keys[i] === title) return this.counts[i]!;
    return 0;
  }

  clear(): void {
    this.counts.fill(0);
  }
}

/** A country's titles over the two judged minutes: the current one and the one before. */
export class WindowTitles {
  private current = new MinuteTally();
  private previous = new MinuteTally();

  add(title: number): void {
    this.current.add(title);
  }

  /** The title most of the window's readers opened, and how many did (0 and 0 without one). */
  top(): { title: number; readers: number } {
    let best = 0;
    let readers = 0;
    for (const tally of [this.current, this.previous]) {
      for (let i = 0; i < TALLY; i++) {
        if (tally.counts[i]! <= 0) continue;
        const title = tally.keys[i]!;
        const n = this.current.of(title) + this.previous.of(title);
        if (n > readers) {
          best = title;
          readers = n;
        }
      }
    }
    return { title: best, readers };
  }

  /** Closes `elapsed` minutes: the current one becomes the previous one (or both go when more passed). */
  roll(elapsed: number): void {
    const closed = this.previous;
    this.previous = this.current;
    this.current = closed;
    this.current.clear();
    if (elapsed > 1) this.previous.clear();
  }
}
