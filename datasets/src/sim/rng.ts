/**
 * Seeded randomness (sfc32). Every actor forks its own stream from (seed, label), so adding an actor or a
 * scenario never shifts the numbers another actor draws: outputs stay comparable across option changes.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, label = '') {
    const h = hashWords(`${seed >>> 0}:${label}`);
    this.a = h[0];
    this.b = h[1];
    this.c = h[2];
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  fork(label: string): Rng {
    return new Rng(this.uint32(), label);
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min));
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T {
    let total = 0;
    for (const item of items) total += weightOf(item);
    let x = this.next() * total;
    for (const item of items) {
      x -= weightOf(item);
      if (x < 0) return item;
    }
    return items[items.length - 1] as T;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal by its median: heavy right tail, like human pauses and file sizes. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Random identifier over the base64url alphabet. */
  id(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 5) {
      let bits = this.uint32();
      for (let j = 0; j < 5 && i + j < length; j++) {
        out += ID_ALPHABET[bits & 63];
        bits >>>= 6;
      }
    }
    return out;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** cyrb128-style string hash to three non-zero 32-bit words. */
function hashWords(text: string): [number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h1 ^ Math.imul(h3 ^ k, 951274213);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h1 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h2 ^ (h3 >>> 17), 951274213);
  return [(h1 ^ h2 ^ h3) >>> 0 || 1, (h2 ^ h1) >>> 0 || 2, (h3 ^ h1) >>> 0 || 3];
}

/** Stable 32-bit hash of a string, for choices that must not consume randomness (e.g. an IP's edge). */
export function stableHash(text: string): number {
  return hashWords(text)[0];
}
