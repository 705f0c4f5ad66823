import { SubjectTable } from './subject-table.ts';

/** Keys up to this many bytes live in the interned table; longer ones (never seen in real logs) in a Map. */
const KEY_BYTES = 48;
const EMPTY = -1;

/**
 * SubjectTable keyed by the bytes of a log field instead of a string, so the hot path looks a subject up
 * without making a string first: one FNV-1a hash over the bytes, open addressing over dense integer ids, key
 * bytes in one flat array. Eviction follows SubjectTable exactly (two generations of `idleMs`, a subject idle
 * for longer starts over), so both tables give the same subjects for the same keys and times; dropped ids go
 * to a free list and are reused.
 */
export class ByteSubjectTable<S extends { lastSeenMs: number }> {
  private keys = new Uint8Array(1024 * KEY_BYTES);
  private lengths = new Uint8Array(1024);
  private hashes = new Int32Array(1024);
  /** Generation in which each id was last looked up; ids below `dropBelow` are gone. */
  private generations = new Int32Array(1024);
  private values: (S | undefined)[] = [];
  private slots = new Int32Array(2048).fill(EMPTY);
  private free: number[] = [];
  private nextId = 0;
  private live = 0;
  private generation = 0;
  private dropBelow = 0;
  private generationEndMs = Number.NEGATIVE_INFINITY;
  private readonly long: SubjectTable<S>;

  constructor(
    private readonly idleMs: number,
    private readonly create: (buf: Buffer, start: number, end: number, timestampMs: number) => S,
  ) {
    this.long = new SubjectTable(idleMs, (key, t) => {
      const bytes = Buffer.from(key, 'utf8');
      return create(bytes, 0, bytes.length, t);
    });
  }

  get size(): number {
    return this.live + this.long.size;
  }

  /** The subject of key buf[start, end), created on first sight; an idle subject starts over. */
  get(buf: Buffer, start: number, end: number, timestampMs: number): S {
    const length = end - start;
    if (length > KEY_BYTES) {
      return this.long.get(buf.toString('utf8', start, end), timestampMs);
    }
    if (timestampMs >= this.generationEndMs) this.rotate(timestampMs);
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    // FNV's low bits mix poorly for keys that differ only at the end (sequential ids): finish with murmur3's mixer.
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    let id = this.slots[slot]!;
    while (id !== EMPTY) {
      if (this.hashes[id] === hash && this.lengths[id] === length && this.sameKey(id, buf, start, length))
        break;
      slot = (slot + 1) & mask;
      id = this.slots[slot]!;
    }
    let entry: S | undefined;
    if (id !== EMPTY && this.generations[id]! >= this.dropBelow) {
      entry = this.values[id];
      this.generations[id] = this.generation;
    }
    if (entry === undefined || timestampMs - entry.lastSeenMs > this.idleMs) {
      entry = this.create(buf, start, end, timestampMs);
      if (id === EMPTY) {
        id = this.newId(buf, start, length, hash);
        this.slots[slot] = id;
        if (this.live * 2 > this.slots.length) this.reindex(this.slots.length * 2);
      }
      this.values[id] = entry;
      this.generations[id] = this.generation;
    }
    return entry;
  }

  private sameKey(id: number, buf: Uint8Array, start: number, length: number): boolean {
    const keys = this.keys;
    const at = id * KEY_BYTES;
    for (let i = 0; i < length; i++) if (keys[at + i] !== buf[start + i]) return false;
    return true;
  }

  private newId(buf: Uint8Array, start: number, length: number, hash: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      id = this.nextId++;
      if (id >= this.lengths.length) this.grow(this.lengths.length * 2);
    }
    this.keys.set(buf.subarray(start, start + length), id * KEY_BYTES);
    this.lengths[id] = length;
    this.hashes[id] = hash;
    this.live++;
    return id;
  }

  private grow(capacity: number): void {
    const keys = new Uint8Array(capacity * KEY_BYTES);
    keys.set(this.keys);
    this.keys = keys;
    const lengths = new Uint8Array(capacity);
    lengths.set(this.lengths);
    this.lengths = lengths;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const generations = new Int32Array(capacity);
    generations.set(this.generations);
    this.generations = generations;
  }

  /** Rebuilds the open-addressing index over the live ids (after growth or after dropping a generation). */
  private reindex(size: number): void {
    const slots = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let id = 0; id < this.nextId; id++) {
      if (this.values[id] === undefined) continue;
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }

  private rotate(timestampMs: number): void {
    // As SubjectTable: the previous generation (untouched for a whole generation) is dropped, and after a
    // long gap in event time the current one as well.
    const longGap = timestampMs >= this.generationEndMs + this.idleMs;
    this.generation++;
    this.dropBelow = longGap ? this.generation : this.generation - 1;
    this.generationEndMs = timestampMs + this.idleMs;
    let dropped = 0;
    for (let id = 0; id < this.nextId; id++) {
      if (this.values[id] !== undefined && this.generations[id]! < this.dropBelow) {
        this.values[id] = undefined;
        this.free.push(id);
        dropped++;
      }
    }
    if (dropped === 0) return;
    this.live -= dropped;
    let size = this.slots.length;
    while (size > 2048 && this.live * 8 < size) size >>= 1;
    this.reindex(size);
  }
}
