import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InfraError } from '../errors.ts';
import type { DetectionSink, EmittedDetection } from './consumer.ts';

export const DETECTION_EVENT_SOURCE = 'boundless.scale-out';
export const DETECTION_DETAIL_TYPE = 'Abuse detection';

/** PutEvents takes at most 10 entries a call. */
const MAX_ENTRIES = 10;

/** Detections as EventBridge events (`detail` = the detection, DESIGN §4.2, with its id and family). */
export class EventBridgeDetectionSink implements DetectionSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async emit(detections: readonly EmittedDetection[]): Promise<void> {
    for (let i = 0; i < detections.length; i += MAX_ENTRIES) {
      const entries = detections.slice(i, i + MAX_ENTRIES).map((detection) => ({
        EventBusName: this.eventBusName,
        Source: DETECTION_EVENT_SOURCE,
        DetailType: DETECTION_DETAIL_TYPE,
        Time: new Date(detection.detectedAt),
        Detail: JSON.stringify(detection),
      }));
      const answer = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if (answer.FailedEntryCount) {
        const codes = (answer.Entries ?? []).flatMap((e) => (e.ErrorCode ? [e.ErrorCode] : []));
        throw new InfraError(
          `EventBridge refused ${answer.FailedEntryCount} detections (${codes.join(', ')})`,
        );
      }
    }
  }
}
