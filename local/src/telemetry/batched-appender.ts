import { type FileHandle, open } from 'node:fs/promises';

/**
 * Appends lines to files, batched over a short window so that a busy runtime costs one write per file and
 * window rather than one per line (CloudWatch Logs itself delivers seconds late; 200 ms changes nothing a
 * reader of the logs can see, and at 500 requests/s a write's own cost on the event loop was larger than
 * building the records it carried). Files stay open, as opening one per write cost more than the write; writes are
 * serialised, so lines keep their order. `flush()` writes at once.
 *
 * A line may be given as a function that builds it: it is called when the batch is written, so the caller (a
 * request being answered) pays for pushing it, not for serialising it. One that throws is left out and its
 * error rethrown by the next `flush()`.
 */
export type LazyLine = string | (() => string);

export class BatchedAppender {
  private readonly buffers = new Map<string, LazyLine[]>();
  private readonly handles = new Map<string, Promise<FileHandle>>();
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown;

  /** Open files kept at most; the least recently opened is closed beyond it (log files roll daily). */
  constructor(
    private readonly maxOpenFiles = 64,
    private readonly batchWindowMs = 200,
  ) {}

  append(file: string, line: LazyLine): void {
    const lines = this.buffers.get(file);
    if (lines) lines.push(line);
    else this.buffers.set(file, [line]);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.writeBuffered(), this.batchWindowMs);
    }
  }

  /** Runs `task` after every write queued so far (e.g. creating a directory before its first append). */
  enqueue(task: () => Promise<unknown>): void {
    this.chain = this.chain.then(task).then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= error;
      },
    );
  }

  /** Resolves once every line appended before the call is on disk; rethrows the first failed write. */
  async flush(): Promise<void> {
    this.writeBuffered();
    await this.chain;
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  /** Flushes, then closes every open file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const handles = [...this.handles.values()];
      this.handles.clear();
      await Promise.all(handles.map((handle) => handle.then((h) => h.close()).catch(() => undefined)));
    }
  }

  private writeBuffered(): void {
    this.scheduled = false;
    for (const [file, lines] of this.buffers) {
      let text = '';
      for (const line of lines) {
        try {
          text += `${typeof line === 'string' ? line : line()}\n`;
        } catch (error) {
          // A line that cannot be built is left out; the next flush() reports why.
          this.failure ??= error;
        }
      }
      this.enqueue(async () => (await this.handleFor(file)).appendFile(text));
    }
    this.buffers.clear();
  }

  private handleFor(file: string): Promise<FileHandle> {
    const existing = this.handles.get(file);
    if (existing) return existing;
    if (this.handles.size >= this.maxOpenFiles) {
      const [oldest, handle] = this.handles.entries().next().value as [string, Promise<FileHandle>];
      this.handles.delete(oldest);
      void handle.then((h) => h.close()).catch(() => undefined);
    }
    const opened = open(file, 'a');
    // A failed open is not cached: the next batch retries (e.g. after its directory is created).
    opened.catch(() => this.handles.delete(file));
    this.handles.set(file, opened);
    return opened;
  }
}
