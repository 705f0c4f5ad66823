/**
 * A simulation too large for the heap stops with a clear error instead of V8's out-of-memory crash: every
 * `HEAP_CHECK_LINES` lines the guard looks at the heap, and after two looks in a row short of a reserve it throws
 * a DatasetError naming what was in memory and how to go on.
 */
import { getHeapStatistics } from 'node:v8';
import { DatasetError } from './errors.ts';

/** Lines between two looks at the heap. */
const HEAP_CHECK_LINES = 1 << 14;
/**
 * What must stay free of the heap's limit: V8 gives up with an out-of-memory crash well before the limit itself
 * (its collections free too little near it; measured: a 4.1 GB heap at 3.8 GB, a 470 MB heap at about 60 MB free).
 */
const HEAP_RESERVE_SHARE = 0.15;
const HEAP_RESERVE_BYTES = 96 * 1_048_576;
/** Looks in a row short of the reserve before stopping: garbage not yet collected may cause one, not two. */
const HEAP_STRIKES = 2;

/** The heap's limit and what is still available under it, in bytes (Node's `v8.getHeapStatistics`). */
export type HeapStatistics = () => { total_available_size: number; heap_size_limit: number };

export class HeapGuard {
  private strikes = 0;

  /**
   * `held` names what a line count means (`log lines held`), `advice` how to go on; `heap` is injectable for
   * tests.
   */
  constructor(
    private readonly held: string,
    private readonly advice: string,
    private readonly heap: HeapStatistics = getHeapStatistics,
  ) {}

  /** Called with the running line count after each line; looks at the heap every HEAP_CHECK_LINES lines. */
  tick(lines: number): void {
    if ((lines & (HEAP_CHECK_LINES - 1)) !== 0) return;
    const { total_available_size: available, heap_size_limit: limit } = this.heap();
    const reserve = Math.max(HEAP_RESERVE_SHARE * limit, HEAP_RESERVE_BYTES);
    this.strikes = available < reserve ? this.strikes + 1 : 0;
    if (this.strikes < HEAP_STRIKES) return;
    const mb = (bytes: number) => Math.round(bytes / 1_048_576).toLocaleString('en-US');
    throw new DatasetError(
      `the population does not fit in memory: ${lines.toLocaleString('en-US')} ${this.held}, ${mb(available)} MB of the heap's ${mb(limit)} MB left; ${this.advice} (NODE_OPTIONS=--max-old-space-size=<MB>)`,
    );
  }
}
