/**
 * A binary min-heap kept in an array, ordered by `before`: the k-way merges (of log files, of simulated readers'
 * requests) keep each source's next item in one, the earliest on top.
 */

/** Moves heap[at] down to its place (after its key grew, or to build a heap from the last parent up). */
export function siftDown<T>(heap: T[], at: number, before: (a: T, b: T) => boolean): void {
  let i = at;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let best = i;
    if (l < heap.length && before(heap[l]!, heap[best]!)) best = l;
    if (r < heap.length && before(heap[r]!, heap[best]!)) best = r;
    if (best === i) return;
    [heap[i], heap[best]] = [heap[best]!, heap[i]!];
    i = best;
  }
}

/** Moves heap[at] up to its place (after it was pushed at the end). */
export function siftUp<T>(heap: T[], at: number, before: (a: T, b: T) => boolean): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}
