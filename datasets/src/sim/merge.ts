import type { RequestStream, SimulatedRequest } from './request.ts';

interface Head {
  request: SimulatedRequest;
  stream: RequestStream;
  /** Ties at the same millisecond resolve by actor order, so the merge is deterministic. */
  order: number;
}

function before(a: Head, b: Head): boolean {
  return a.request.time < b.request.time || (a.request.time === b.request.time && a.order < b.order);
}

/**
 * K-way merge of per-actor streams (each already in event-time order) into one event-time-ordered stream.
 * Only one pending request per actor is held, so memory follows the number of actors, not the traffic.
 * Requests before `start` are skipped (a scenario's victim may have started reading earlier); requests at or
 * after `end` stop their actor.
 */
export function* mergeStreams(
  streams: Iterable<RequestStream>,
  start: number,
  end: number,
): Generator<SimulatedRequest> {
  const heap: Head[] = [];
  let order = 0;
  const pull = (stream: RequestStream): IteratorResult<SimulatedRequest> => {
    let next = stream.next();
    while (!next.done && next.value.time < start) next = stream.next();
    return next;
  };
  for (const stream of streams) {
    const first = pull(stream);
    if (!first.done && first.value.time < end) push(heap, { request: first.value, stream, order });
    order += 1;
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.request;
    const next = pull(top.stream);
    if (!next.done && next.value.time < end) {
      if (next.value.time < top.request.time) {
        throw new RangeError(
          `actor ${next.value.actor} went back in time (${next.value.time} < ${top.request.time})`,
        );
      }
      top.request = next.value;
      siftDown(heap, 0);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0);
      }
    }
  }
}

function push(heap: Head[], head: Head): void {
  heap.push(head);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function siftDown(heap: Head[], start: number): void {
  let i = start;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}
