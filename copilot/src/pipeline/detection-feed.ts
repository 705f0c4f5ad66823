import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { Detection } from '../detect/types.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('detection-feed');

/** The scale-out consumer's events on its EventBridge bus (infra/src/scale-out/detection-sink.ts). */
export const SCALE_OUT_EVENT_SOURCE = 'boundless.scale-out';
export const SCALE_OUT_DETAIL_TYPE = 'Abuse detection';

/**
 * Detections made elsewhere (the scale-out detectors of DESIGN §6) for the pipeline to decide on, as if its own
 * detectors had fired: the same findings, mitigation policies, guardrails and dashboard.
 */
export interface DetectionFeed {
  readonly id: string;
  /** Hands on what arrived; a batch is acknowledged only once its handler resolved. */
  poll(onDetections: (detections: Detection[]) => Promise<void>): Promise<DetectionPoll>;
}

export interface DetectionPoll {
  detections: number;
  /** Messages that are not a readable detection, by reason (acknowledged, so they do not come back). */
  skipped: Record<string, number>;
}

const iso = z.iso.datetime({ offset: true });
const detectionSchema = z.object({
  kind: z.enum(['token_sharing', 'scraping', 'geo_spike']),
  subject: z.strictObject({
    tokenId: z.string().min(1).max(256).optional(),
    accountId: z.string().min(1).max(256).optional(),
    ip: z.string().min(1).max(64).optional(),
    country: z.string().min(1).max(8).optional(),
  }),
  firstSeen: iso,
  detectedAt: iso,
  score: z.number().min(0).max(1),
  evidence: z.record(z.string(), z.unknown()),
  mitigation: z.string().min(1).max(128),
});

/** What EventBridge puts in an SQS message body for a rule target: the whole event. */
const envelopeSchema = z.object({
  id: z.string(),
  source: z.string(),
  'detail-type': z.string(),
  detail: z.unknown(),
});

type Reading = { ok: true; detection: Detection } | { ok: false; reason: string; detail?: string };

/** One message body as a detection, or why not. Unknown sources are a reason, not a crash. */
export function readDetectionEvent(body: string | undefined): Reading {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: 'not_an_event' };
  const event = envelope.data;
  if (event.source !== SCALE_OUT_EVENT_SOURCE || event['detail-type'] !== SCALE_OUT_DETAIL_TYPE)
    return { ok: false, reason: 'other_event', detail: `${event.source} / ${event['detail-type']}` };
  const detail = detectionSchema.safeParse(event.detail);
  if (!detail.success)
    return {
      ok: false,
      reason: 'bad_detection',
      detail: detail.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  const { subject, ...rest } = detail.data;
  // Only the subject fields present: the detectors never set an absent key.
  const cleanSubject = Object.fromEntries(Object.entries(subject).filter(([, v]) => v !== undefined));
  return { ok: true, detection: { ...rest, subject: cleanSubject } };
}

export interface SqsDetectionFeedOptions {
  queueUrl: string;
  /** Receives per poll (10 messages each): bounds one pipeline pass. @default 10 */
  maxReceives?: number;
  /** Long-poll wait of the first receive; later ones in the same pass do not wait. @default 0 */
  waitSeconds?: number;
}

/**
 * The scale-out detections in AWS: an EventBridge rule on the detection bus targets an SQS queue, which this
 * feed drains. Delivery is at least once (a batch whose handling failed comes back after the visibility
 * timeout); the pipeline's finding ledger absorbs repeats. Unreadable messages are counted, logged and deleted.
 */
export function sqsDetectionFeed(client: SQSClient, options: SqsDetectionFeedOptions): DetectionFeed {
  const maxReceives = options.maxReceives ?? 10;
  return {
    id: `sqs:${options.queueUrl}`,
    async poll(onDetections) {
      const result: DetectionPoll = { detections: 0, skipped: {} };
      for (let i = 0; i < maxReceives; i += 1) {
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: i === 0 ? (options.waitSeconds ?? 0) : 0,
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        const detections: Detection[] = [];
        for (const message of messages) {
          const reading = readDetectionEvent(message.Body);
          if (reading.ok) detections.push(reading.detection);
          else {
            result.skipped[reading.reason] = (result.skipped[reading.reason] ?? 0) + 1;
            log.warn('skipped a message of the detection queue', {
              messageId: message.MessageId,
              reason: reading.reason,
              ...(reading.detail ? { detail: reading.detail } : {}),
            });
          }
        }
        if (detections.length > 0) await onDetections(detections);
        result.detections += detections.length;
        await acknowledge(client, options.queueUrl, messages);
      }
      return result;
    },
  };
}

async function acknowledge(
  client: SQSClient,
  queueUrl: string,
  messages: readonly { MessageId?: string; ReceiptHandle?: string }[],
): Promise<void> {
  const entries = messages.flatMap((m, i) =>
    m.ReceiptHandle ? [{ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle }] : [],
  );
  if (entries.length === 0) return;
  const answer = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  // An undeleted message comes back after its visibility timeout and is deduped then: worth a warning only.
  for (const failed of answer.Failed ?? [])
    log.warn('a handled detection message was not deleted; it will be read again', {
      id: failed.Id,
      code: failed.Code,
    });
}
