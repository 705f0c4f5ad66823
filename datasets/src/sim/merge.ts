import { siftDown, siftUp } from '@boundless/common/min-heap';
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
    if (!first.done && first.value.time < end) {
      heap.push({ request: first.value, stream, order });
      siftUp(heap, heap.length - 1, before);
    }
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
      siftDown(heap, 0, before);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0, before);
      }
    }
  }
}
