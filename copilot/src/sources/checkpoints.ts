import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

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
  private cache: Record<string, string> | undefined;

  constructor(private readonly path: string) {}

  private async all(): Promise<Record<string, string>> {
    if (this.cache) return this.cache;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      this.cache = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.cache = {};
    }
    return this.cache;
  }

  async load(sourceId: string) {
    return (await this.all())[sourceId];
  }

  async save(sourceId: string, position: string) {
    const all = await this.all();
    all[sourceId] = position;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(all, null, 2));
    await rename(temporary, this.path);
  }
}
