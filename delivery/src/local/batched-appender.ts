import { appendFile } from 'node:fs/promises';

/**
 * Appends lines to files, batched per event-loop turn so that a busy runtime costs one file append per file
 * and turn rather than one per line. Writes are serialised, so lines keep their order.
 */
export class BatchedAppender {
  private readonly buffers = new Map<string, string[]>();
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown;

  append(file: string, line: string): void {
    const lines = this.buffers.get(file);
    if (lines) lines.push(line);
    else this.buffers.set(file, [line]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writeBuffered());
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

  private writeBuffered(): void {
    this.scheduled = false;
    for (const [file, lines] of this.buffers) {
      const text = `${lines.join('\n')}\n`;
      this.enqueue(() => appendFile(file, text));
    }
    this.buffers.clear();
  }
}
