import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replaceFile } from '@boundless/common/files';

/**
 * Where each source remembers how far it has read, so a restart neither loses nor repeats work. A position is
 * opaque to the store (an S3 key, a shard sequence number, a timestamp plus the event ids seen at it).
 * Sources save a position only after the records up to it were handed on.
 */
export interface CheckpointStore {
  load(sourceId: string): Promise<string | undefined>;
  save(sourceId: string, position: string): Promise<void>;
}

export class MemoryCheckpointStore implements CheckpointStore {
  readonly positions = new Map<string, string>();
  async load(sourceId: string) {
    return this.positions.get(sourceId);
  }
  async save(sourceId: string, position: string) {
    this.positions.set(sourceId, position);
  }
}

/** One JSON file; each save is written to a temporary file and renamed, so a crash never leaves half a file. */
export class FileCheckpointStore implements CheckpointStore {
  /** The positions, read once: every caller shares the one read (two first reads at once made two tables). */
  private cache: Promise<Record<string, string>> | undefined;

  constructor(private readonly path: string) {}

  private all(): Promise<Record<string, string>> {
    if (!this.cache) {
      this.cache = this.read();
      // A failed read is not kept: the next call reads again.
      this.cache.catch(() => {
        this.cache = undefined;
      });
    }
    return this.cache;
  }

  private async read(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return {};
    }
  }

  async load(sourceId: string) {
    return (await this.all())[sourceId];
  }

  /**
   * Saves one after another: sources poll on timers of their own, and two saves at once used to write one
   * temporary file twice (the second rename failing) or let an older state's rename land last.
   */
  async save(sourceId: string, position: string) {
    const all = await this.all();
    all[sourceId] = position;
    const write = this.writing.catch(() => undefined).then(() => this.write(all));
    this.writing = write;
    return write;
  }

  private writing: Promise<void> = Promise.resolve();

  /** Writes every position as they stand now (a later save's included). */
  private async write(all: Record<string, string>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await replaceFile(this.path, JSON.stringify(all, null, 2));
  }
}
