import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type EdgeKeyValueStore, KeyValueStoreError } from '@boundless/delivery';
import type { KeyValueReader } from './function-runner.ts';

/** CloudFront KeyValueStore quotas: key ≤ 512 bytes, value ≤ 1 KB, whole store ≤ 5 MB. */
export const KVS_LIMITS = { keyBytes: 512, valueBytes: 1024, storeBytes: 5 * 1024 * 1024 } as const;

export interface LocalKeyValueStoreOptions {
  /** JSON file (`{"key": "value"}`) loaded at start and rewritten after every change. */
  file?: string;
  initial?: Record<string, string>;
}

/**
 * In-process stand-in for a CloudFront KeyValueStore. The admin API writes through the async
 * EdgeKeyValueStore port; the local edge's function shim reads the same map synchronously, so a write is
 * visible to the very next request (CloudFront propagates in seconds; see EDGE.md).
 */
export class LocalKeyValueStore implements EdgeKeyValueStore, KeyValueReader {
  readonly #entries = new Map<string, string>();
  readonly #file: string | undefined;
  #bytes = 0;
  #persisting: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(options: LocalKeyValueStoreOptions = {}) {
    this.#file = options.file;
    if (this.#file) mkdirSync(dirname(this.#file), { recursive: true });
    const loaded = this.#file ? loadFile(this.#file) : {};
    for (const [key, value] of Object.entries({ ...loaded, ...options.initial })) this.#set(key, value);
  }

  async get(key: string): Promise<string | undefined> {
    return this.#entries.get(key);
  }

  async put(key: string, value: string): Promise<void> {
    this.#set(key, value);
    await this.#persist();
  }

  async delete(key: string): Promise<void> {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entryBytes(key, old);
    await this.#persist();
  }

  getSync(key: string): string | undefined {
    return this.#entries.get(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  snapshot(): Record<string, string> {
    return Object.fromEntries(this.#entries);
  }

  /** Resolves once every change so far is on disk. */
  async flush(): Promise<void> {
    await this.#persisting;
  }

  #set(key: string, value: string): void {
    assertEntry(key, value);
    const old = this.#entries.get(key);
    const next = this.#bytes - (old === undefined ? 0 : entryBytes(key, old)) + entryBytes(key, value);
    if (next > KVS_LIMITS.storeBytes) {
      throw new KeyValueStoreError(`store would hold ${next} bytes; the limit is ${KVS_LIMITS.storeBytes}`);
    }
    this.#entries.set(key, value);
    this.#bytes = next;
  }

  // Writes are coalesced: while one write is in flight, later changes are folded into the next one.
  #persist(): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    this.#dirty = true;
    // A failed write must not wedge later ones: each write starts from a settled chain.
    this.#persisting = this.#persisting
      .catch(() => {})
      .then(async () => {
        if (!this.#dirty) return;
        this.#dirty = false;
        const tmp = `${file}.${process.pid}.tmp`;
        try {
          await writeFile(tmp, JSON.stringify(this.snapshot()));
          await rename(tmp, file);
        } catch (cause) {
          throw new KeyValueStoreError(`cannot persist key value store to ${file}`, { cause });
        }
      });
    return this.#persisting;
  }

  /** Synchronous persistence for process exit paths. */
  persistNow(): void {
    if (!this.#file) return;
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.snapshot()));
    renameSync(tmp, this.#file);
  }
}

function entryBytes(key: string, value: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(value);
}

function assertEntry(key: string, value: string): void {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > KVS_LIMITS.keyBytes) {
    throw new KeyValueStoreError(`key must be 1..${KVS_LIMITS.keyBytes} bytes`);
  }
  if (typeof value !== 'string' || Buffer.byteLength(value) > KVS_LIMITS.valueBytes) {
    throw new KeyValueStoreError(
      `value for key "${key}" must be a string of at most ${KVS_LIMITS.valueBytes} bytes`,
    );
  }
}

function loadFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new KeyValueStoreError(`cannot read key value store file ${file}`, { cause });
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  } catch (cause) {
    throw new KeyValueStoreError(`key value store file ${file} is not a JSON object of strings`, { cause });
  }
}
