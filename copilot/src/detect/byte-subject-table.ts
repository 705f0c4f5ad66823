/**
 * Keys up to this many bytes live in their id's record; longer ones (never seen in real logs: the longest
 * IPv6 text is 45 bytes, token ids are at most 40) are kept beside it as a Buffer of their own.
 */
const KEY_BYTES = 43;
const LONG_KEY = 255;
/**
 * Each id owns one 64-byte record (one cache line): byte 0 the key's length, bytes 1..43 the key, and as
 * 32-bit words 11, 14 and 15 the episode's serial, the key's hash and the generation of its last lookup;
 * bytes 48..55 (float64 6) the time of the last lookup.
 */
const RECORD = 64;
const SERIAL_WORD = 11;
const LAST_SEEN_DOUBLE = 6;
const HASH_WORD = 14;
const GENERATION_WORD = 15;
const EMPTY = -1;

/**
 * SubjectTable keyed by the bytes of a log field instead of a string, so the hot path looks a subject up
 * without making a string first: one FNV-1a hash over the bytes, open addressing over dense integer ids, key
 * bytes in one flat array. Eviction follows SubjectTable exactly (two generations of `idleMs`, a subject idle
 * for longer starts over), so both tables give the same subjects for the same keys and times; dropped ids go
 * to a free list and are reused. The tables are large and touched at random, so a lookup is laid out for few
 * cache misses: the index holds (id, hash) pairs, and an id's key, length, hash, generation and last-seen
 * time share a line.
 *
 * Ids are dense and reused, so callers keep per-subject state in typed arrays indexed by id; `fresh` says
 * that the last lookup started a new episode (state of that id must start over). Every episode gets a serial
 * of its own, so a caller can remember (id, serial) and later `reuse` the subject without hashing the key.
 */
/** FNV-1a (32-bit, signed) over buf[start, end). */
export function fnv1aBytes(buf: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  return hash;
}

/** The hash of key buf[start, end) in a ByteSubjectTable. */
export function keyHash(buf: Uint8Array, start: number, end: number): number {
  let hash = fnv1aBytes(buf, start, end);
  // FNV's low bits mix poorly for keys that differ only at the end (sequential ids): finish with murmur3's mixer.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash;
}

export class ByteSubjectTable<S> {
  private records = new Uint8Array(1024 * RECORD);
  private words = new Int32Array(this.records.buffer);
  private doubles = new Float64Array(this.records.buffer);
  private values: (S | undefined)[] = [];
  private longKeys: (Buffer | undefined)[] = [];
  /** Pairs (id, hash); id EMPTY marks a free slot. */
  private slots = new Int32Array(2 * 2048).fill(EMPTY);
  private free: number[] = [];
  private nextId = 0;
  private live = 0;
  private serials = 0;
  private generation = 0;
  private dropBelow = 0;
  private generationEndMs = Number.NEGATIVE_INFINITY;
  /** The last lookup started a new episode for its id. */
  fresh = false;

  constructor(
    private readonly idleMs: number,
    private readonly create: (buf: Buffer, start: number, end: number, timestampMs: number, id: number) => S,
    /**
     * When subjects are used between lookups (held by reference) and keep their own last-seen time, idleness
     * is judged on it instead of on the time of the last lookup, as SubjectTable judges it.
     */
    private readonly lastSeenOf?: (subject: S) => number,
  ) {}

  get size(): number {
    return this.live;
  }

  /** Ids are below this. */
  get capacity(): number {
    return this.records.length / RECORD;
  }

  /** The subject of key buf[start, end), created on first sight; an idle subject starts over. */
  get(buf: Buffer, start: number, end: number, timestampMs: number): S {
    return this.values[this.lookup(buf, start, end, timestampMs)]!;
  }

  value(id: number): S {
    return this.values[id]!;
  }

  serialOf(id: number): number {
    return this.words[id * (RECORD >> 2) + SERIAL_WORD]!;
  }

  /**
   * The id of key buf[start, end)'s subject, as `get` would find or create it; its last-seen time becomes
   * `timestampMs`.
   */
  lookup(buf: Buffer, start: number, end: number, timestampMs: number): number {
    return this.lookupHashed(keyHash(buf, start, end), buf, start, end, timestampMs);
  }

  /** `lookup` when the key's hash (keyHash) is known already. */
  lookupHashed(hash: number, buf: Buffer, start: number, end: number, timestampMs: number): number {
    const length = end - start;
    if (timestampMs >= this.generationEndMs) this.rotate(timestampMs);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    let id = slots[slot << 1]!;
    while (id !== EMPTY) {
      if (slots[(slot << 1) + 1] === hash && this.sameKey(id, buf, start, length)) break;
      slot = (slot + 1) & mask;
      id = slots[slot << 1]!;
    }
    const base = id * (RECORD >> 2);
    if (
      id !== EMPTY &&
      this.words[base + GENERATION_WORD]! >= this.dropBelow &&
      timestampMs - this.lastSeen(id) <= this.idleMs
    ) {
      this.words[base + GENERATION_WORD] = this.generation;
      this.doubles[id * (RECORD >> 3) + LAST_SEEN_DOUBLE] = timestampMs;
      this.fresh = false;
      return id;
    }
    if (id !== EMPTY) {
      this.startEpisode(id, buf, start, end, timestampMs);
      return id;
    }
    id = this.newId(buf, start, length, hash);
    slots[slot << 1] = id;
    slots[(slot << 1) + 1] = hash;
    // The new subject before the index grows: reindexing keeps only ids that hold a subject.
    this.startEpisode(id, buf, start, end, timestampMs);
    if (this.live * 2 > mask + 1) this.reindex((mask + 1) * 2);
    return id;
  }

  /**
   * Looks the subject (id, serial) up again without hashing, when the caller remembers it and the key is
   * likely the same: true (and touched exactly as `lookup` would touch it) when that episode is still live,
   * has key buf[start, end) and is not idle at `timestampMs`; false otherwise, and nothing changed but the
   * generation's turn (call `lookup` then).
   */
  reuse(id: number, serial: number, buf: Buffer, start: number, end: number, timestampMs: number): boolean {
    if (timestampMs >= this.generationEndMs) this.rotate(timestampMs);
    // The serial names one episode: a live generation then means the id still holds that episode's subject
    // (a dropped id keeps its old generation until it is given out again, with a new serial).
    const base = id * (RECORD >> 2);
    const words = this.words;
    if (
      words[base + SERIAL_WORD] !== serial ||
      words[base + GENERATION_WORD]! < this.dropBelow ||
      timestampMs - this.lastSeen(id) > this.idleMs ||
      !this.sameKey(id, buf, start, end - start)
    ) {
      return false;
    }
    words[base + GENERATION_WORD] = this.generation;
    this.doubles[id * (RECORD >> 3) + LAST_SEEN_DOUBLE] = timestampMs;
    this.fresh = false;
    return true;
  }

  /**
   * For read-ahead only: the first id in `hash`'s probe sequence stored with that hash (almost always that
   * key's, though not compared, nor necessarily live), or -1, reading only the index. The probe sequence is
   * followed, not just the first slot: at the index's load a quarter of the keys sit past their first slot,
   * and their read-ahead would touch another subject's state. A caller reads ahead the index of many keys,
   * then their records (`touch`), then their subjects (`peekValue`), so that each level's misses overlap.
   */
  peekId(hash: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    let id = slots[slot << 1]!;
    while (id !== EMPTY && slots[(slot << 1) + 1] !== hash) {
      slot = (slot + 1) & mask;
      id = slots[slot << 1]!;
    }
    return id;
  }

  /** For read-ahead only: the subject id holds, if any (any id below capacity). */
  peekValue(id: number): S | undefined {
    return this.values[id];
  }

  /**
   * For read-ahead only: reads id's record (any id, live or not), at both ends: records are 64-byte aligned
   * only relative to the array, whose start the allocator aligns to 16 bytes, so a record may straddle two
   * cache lines.
   */
  touch(id: number): number {
    if (id < 0 || id >= this.nextId) return 0;
    return this.records[id * RECORD]! ^ this.words[id * (RECORD >> 2) + GENERATION_WORD]!;
  }

  /** Where read-ahead loads go, so that they are not optimised away. */
  touched = 0;

  /** The last-seen time idleness is judged on (id holds a subject). */
  private lastSeen(id: number): number {
    const of = this.lastSeenOf;
    return of === undefined ? this.doubles[id * (RECORD >> 3) + LAST_SEEN_DOUBLE]! : of(this.values[id]!);
  }

  private startEpisode(id: number, buf: Buffer, start: number, end: number, timestampMs: number): void {
    const base = id * (RECORD >> 2);
    this.words[base + GENERATION_WORD] = this.generation;
    // 32 bits that are never 0 (callers use 0 for "none"), even after wrapping around.
    this.serials = (this.serials + 1) | 0 || 1;
    this.words[base + SERIAL_WORD] = this.serials;
    this.doubles[id * (RECORD >> 3) + LAST_SEEN_DOUBLE] = timestampMs;
    this.fresh = true;
    this.values[id] = this.create(buf, start, end, timestampMs, id);
  }

  private sameKey(id: number, buf: Uint8Array, start: number, length: number): boolean {
    const records = this.records;
    const at = id * RECORD;
    if (length > KEY_BYTES) {
      const key = this.longKeys[id];
      if (records[at] !== LONG_KEY || key === undefined || key.length !== length) return false;
      for (let i = 0; i < length; i++) if (key[i] !== buf[start + i]) return false;
      return true;
    }
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
    const records = this.records;
    if (length > KEY_BYTES) {
      records[at] = LONG_KEY;
      this.longKeys[id] = Buffer.from(buf.subarray(start, start + length));
    } else {
      records[at] = length;
      // A byte loop: a subarray to copy from would allocate a view per new key.
      for (let i = 0; i < length; i++) records[at + 1 + i] = buf[start + i]!;
      if (this.longKeys[id] !== undefined) this.longKeys[id] = undefined;
    }
    this.words[id * (RECORD >> 2) + HASH_WORD] = hash;
    this.live++;
    return id;
  }

  private grow(capacity: number): void {
    const records = new Uint8Array(capacity * RECORD);
    records.set(this.records);
    this.records = records;
    this.words = new Int32Array(records.buffer);
    this.doubles = new Float64Array(records.buffer);
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
    const of = this.lastSeenOf;
    for (let id = 0; id < this.nextId; id++) {
      const value = this.values[id];
      if (value !== undefined && words[id * (RECORD >> 2) + GENERATION_WORD]! < this.dropBelow) {
        // A subject held by reference and used since (its own last-seen time) is not idle: it stays.
        if (of !== undefined && timestampMs - of(value) <= this.idleMs) {
          words[id * (RECORD >> 2) + GENERATION_WORD] = this.generation;
          continue;
        }
        this.values[id] = undefined;
        this.longKeys[id] = undefined;
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
