import type { EventBusStandIn } from '@boundless/copilot/testing';
import { DETECTION_DETAIL_TYPE, DETECTION_EVENT_SOURCE } from '../scale-out/detection-sink.ts';

/**
 * The ObservabilityStack's rule on a local bus: the scale-out consumer's detections on `bus` go to the copilot's
 * `queue`. Answers the queue's URL.
 */
export function routeDetectionsToQueue(events: EventBusStandIn, bus: string, queue: string): string {
  const queueUrl = events.createQueue(queue);
  events.route({ bus, sources: [DETECTION_EVENT_SOURCE], detailTypes: [DETECTION_DETAIL_TYPE], queue });
  return queueUrl;
}
