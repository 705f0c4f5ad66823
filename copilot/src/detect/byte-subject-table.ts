import { SubjectTable } from './subject-table.ts';

/** Keys up to this many bytes live in the interned table; longer ones (never seen in real logs) in a Map. */
const KEY_BYTES = 48;
/**
 * Each id owns one 64-byte record (one cache line): byte 0 the key's length, bytes 1..48 the key, and as
 * 32-bit words 14 and 15 the key's hash and the generation of its last lookup.
 */
const RECORD = 64;
const HASH_WORD = 14;
const GENERATION_WORD = 15;
const EMPTY = -1;

/**
 * SubjectTable keyed by the bytes of a log field instead of a string, so the hot path looks a subject up
 * without making a string first: one FNV-1a hash over the bytes, open addressing over dense integer ids, key
 * bytes in one flat array. Eviction follows SubjectTable exactly (two generations of `idleMs`, a subject idle
 * for longer starts over), so both tables give the same subjects for the same keys and times; dropped ids go
 * to a free list and are reused. The tables are large and touched at random, so a lookup is laid out for few
 * cache misses: the index holds (id, hash) pairs, and an id's key, length, hash and generation share a line.
 */
export class ByteSubjectTable<S extends { lastSeenMs: number }> {
  private records = new Uint8Array(1024 * RECORD);
  private words = new Int32Array(this.records.buffer);
  private values: (S | undefined)[] = [];
  /** Pairs (id, hash); id EMPTY marks a free slot. */
  private slots = new Int32Array(2 * 2048).fill(EMPTY);
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
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    let id = slots[slot << 1]!;
    while (id !== EMPTY) {
      if (slots[(slot << 1) + 1] === hash && this.sameKey(id, buf, start, length)) break;
      slot = (slot + 1) & mask;
      id = slots[slot << 1]!;
    }
    let entry: S | undefined;
    const generationAt = id * (RECORD >> 2) + GENERATION_WORD;
    if (id !== EMPTY && this.words[generationAt]! >= this.dropBelow) {
      entry = this.values[id];
      this.words[generationAt] = this.generation;
    }
    if (entry === undefined || timestampMs - entry.lastSeenMs > this.idleMs) {
      entry = this.create(buf, start, end, timestampMs);
      if (id === EMPTY) {
        id = this.newId(buf, start, length, hash);
        slots[slot << 1] = id;
        slots[(slot << 1) + 1] = hash;
        if (this.live * 2 > mask + 1) this.reindex((mask + 1) * 2);
      }
      this.values[id] = entry;
      this.words[id * (RECORD >> 2) + GENERATION_WORD] = this.generation;
    }
    return entry;
  }

  private sameKey(id: number, buf: Uint8Array, start: number, length: number): boolean {
    const records = this.records;
    const at = id * RECORD;
    if (records[at] !== length) return false;
    for (let i = 0; i < length; i++) if (records[at + 1 + i] !== buf[start + i]) return false;
    return true;
  }

  private newId(buf: Uint8Array, start: number, length: number, hash: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      id = this.nextId++;
      if ((id + 1) * RECORD > this.records.length) this.grow((this.records.length / RECORD) * 2);
    }
    const at = id * RECORD;
    this.records[at] = length;
    this.records.set(buf.subarray(start, start + length), at + 1);
    this.words[id * (RECORD >> 2) + HASH_WORD] = hash;
    this.live++;
    return id;
  }

  private grow(capacity: number): void {
    const records = new Uint8Array(capacity * RECORD);
    records.set(this.records);
    this.records = records;
    this.words = new Int32Array(records.buffer);
  }

  /** Rebuilds the open-addressing index over the live ids (after growth or after dropping a generation). */
  private reindex(size: number): void {
    const slots = new Int32Array(2 * size).fill(EMPTY);
    const mask = size - 1;
    const words = this.words;
    for (let id = 0; id < this.nextId; id++) {
      if (this.values[id] === undefined) continue;
      const hash = words[id * (RECORD >> 2) + HASH_WORD]!;
      let slot = hash & mask;
      while (slots[slot << 1] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot << 1] = id;
      slots[(slot << 1) + 1] = hash;
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
    const words = this.words;
    for (let id = 0; id < this.nextId; id++) {
      if (this.values[id] !== undefined && words[id * (RECORD >> 2) + GENERATION_WORD]! < this.dropBelow) {
        this.values[id] = undefined;
        this.free.push(id);
        dropped++;
      }
    }
    if (dropped === 0) return;
    this.live -= dropped;
    let size = this.slots.length >> 1;
    while (size > 2048 && this.live * 8 < size) size >>= 1;
    this.reindex(size);
  }
}
