/**
 * A small direct-mapped memo of a pure function of a log field's bytes. A new token's scope and user agent are
 * one of a few hundred values repeated by thousands of sessions; decoding them (base64url, UTF-8, percent
 * escapes) and classifying them again for every new session made strings the collector had to sweep. The memo
 * keeps the last value computed for each of `entries` hash slots with a copy of its key's bytes, and answers
 * from it only when the bytes are equal, so its answers are the function's, whatever it held before.
 */
import { keyHash } from './byte-subject-table.ts';

export class ByteMemo<V> {
  private readonly keys: Uint8Array;
  /** Key length per slot; -1: empty. */
  private readonly lengths: Int32Array;
  private readonly values: (V | undefined)[];
  private readonly mask: number;

  /**
   * `entries`: a power of two. Keys longer than `maxKeyBytes` are not kept: `compute` runs for each of them.
   */
  constructor(
    entries: number,
    private readonly maxKeyBytes: number,
    private readonly compute: (buf: Buffer, start: number, end: number) => V,
  ) {
    if (entries <= 0 || (entries & (entries - 1)) !== 0)
      throw new RangeError(`entries must be a power of two: ${entries}`);
    this.mask = entries - 1;
    this.keys = new Uint8Array(entries * maxKeyBytes);
    this.lengths = new Int32Array(entries).fill(-1);
    this.values = new Array<V | undefined>(entries).fill(undefined);
  }

  /** compute(buf, start, end), from the memo when these bytes were the slot's last key. */
  get(buf: Buffer, start: number, end: number): V {
    const length = end - start;
    if (length > this.maxKeyBytes) return this.compute(buf, start, end);
    // Mixed (keyHash), not plain FNV: keys such as encoded scopes differ only in their last bytes.
    const slot = keyHash(buf, start, end) & this.mask;
    const keys = this.keys;
    const at = slot * this.maxKeyBytes;
    if (this.lengths[slot] === length) {
      let i = 0;
      while (i < length && keys[at + i] === buf[start + i]) i++;
      if (i === length) return this.values[slot] as V;
    }
    const value = this.compute(buf, start, end);
    for (let i = 0; i < length; i++) keys[at + i] = buf[start + i]!;
    this.lengths[slot] = length;
    this.values[slot] = value;
    return value;
  }
}
