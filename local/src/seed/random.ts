import { mulberry32 } from '@boundless/common/random';

/** Seeded draws, so the same seed yields the same catalog, readers and bytes everywhere. */
export interface Random {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}

/** Deterministic filler bytes after a format's magic header (fast: 32-bit words, not byte-by-byte). */
export function fillerBytes(seed: number, size: number, header: Buffer): Buffer {
  const body = Buffer.alloc(Math.max(size, header.length));
  header.copy(body, 0);
  const words = new Uint32Array(Math.ceil((body.length - header.length) / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  Buffer.from(words.buffer).copy(body, header.length, 0, body.length - header.length);
  return body;
}
