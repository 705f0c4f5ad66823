import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackStandIn } from '../sources/loopback-stand-in.ts';

interface StoredMessage {
  id: string;
  body: string;
  receipt?: string;
  visibleAtMs: number;
  receives: number;
}

interface Rule {
  bus: string;
  sources: readonly string[];
  detailTypes: readonly string[];
  queue: string;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/**
 * EventBridge and SQS on one loopback port, in the wire formats their SDK clients send: EventBridge's PutEvents
 * (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) and SQS's ReceiveMessage, DeleteMessage(Batch),
 * SendMessage and GetQueueAttributes (AWS JSON 1.0, `AmazonSQS.*`, with the MD5 of each body the client checks).
 * A rule routes events of a bus matching its source and detail type to a queue, wrapped as EventBridge wraps
 * them for an SQS target. Received messages are invisible for their visibility timeout and come back unless
 * deleted. No signatures, no persistence: enough to run the real clients against.
 */
export class EventBusStandIn extends LoopbackStandIn {
  private readonly queues = new Map<string, StoredMessage[]>();
  private readonly rules: Rule[] = [];
  private endpoint = '';
  /** The stand-in's clock for visibility timeouts (tests move it instead of sleeping). */
  nowMs = Date.now();

  override async start(): Promise<string> {
    this.endpoint = await super.start();
    return this.endpoint;
  }

  /** Creates a queue; returns its URL (SQS clients send to the URL's host). */
  createQueue(name: string): string {
    if (!this.queues.has(name)) this.queues.set(name, []);
    return this.queueUrl(name);
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/${ACCOUNT}/${name}`;
  }

  route(rule: Rule): void {
    this.rules.push(rule);
  }

  /** Messages in the queue, visible or in flight. */
  depth(queue: string): number {
    return this.queues.get(queue)?.length ?? 0;
  }

  protected internalError(response: ServerResponse, error: unknown): void {
    reply(response, 500, '1.0', { __type: 'InternalFailure', message: String(error) });
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (target === 'AWSEvents.PutEvents') return reply(response, 200, '1.1', this.putEvents(body));
    const [service, action] = target.split('.');
    if (service !== 'AmazonSQS')
      return reply(response, 400, '1.0', { __type: 'UnknownOperationException', message: target });
    const queue = this.queueOf(body.QueueUrl);
    if (!queue)
      return reply(response, 400, '1.0', {
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: 'The specified queue does not exist.',
      });
    if (action === 'ReceiveMessage') return reply(response, 200, '1.0', this.receive(queue, body));
    if (action === 'DeleteMessageBatch') {
      const successful: { Id: string }[] = [];
      const failed: { Id: string; Code: string; SenderFault: boolean; Message: string }[] = [];
      for (const entry of body.Entries as { Id: string; ReceiptHandle: string }[]) {
        if (this.delete(queue, entry.ReceiptHandle)) successful.push({ Id: entry.Id });
        else
          failed.push({
            Id: entry.Id,
            Code: 'ReceiptHandleIsInvalid',
            SenderFault: true,
            Message: 'unknown receipt handle',
          });
      }
      return reply(response, 200, '1.0', { Successful: successful, Failed: failed });
    }
    if (action === 'DeleteMessage') {
      if (this.delete(queue, body.ReceiptHandle)) return reply(response, 200, '1.0', {});
      return reply(response, 400, '1.0', {
        __type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid',
        message: 'unknown receipt handle',
      });
    }
    if (action === 'SendMessage') {
      const id = this.enqueue(queue, body.MessageBody);
      return reply(response, 200, '1.0', { MessageId: id, MD5OfMessageBody: md5(body.MessageBody) });
    }
    if (action === 'GetQueueAttributes')
      return reply(response, 200, '1.0', {
        Attributes: { ApproximateNumberOfMessages: String(queue.length) },
      });
    return reply(response, 400, '1.0', { __type: 'UnknownOperationException', message: target });
  }

  private putEvents(body: {
    Entries: { Source: string; DetailType: string; Detail: string; EventBusName?: string; Time?: number }[];
  }) {
    const entries = body.Entries.map((entry) => {
      const id = randomUUID();
      const bus = entry.EventBusName ?? 'default';
      const event = {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: ACCOUNT,
        // EventBridge keeps whole seconds of the entry's Time (epoch seconds on the wire).
        time: new Date(Math.floor(entry.Time ?? this.nowMs / 1000) * 1000)
          .toISOString()
          .replace('.000Z', 'Z'),
        region: REGION,
        resources: [],
        detail: JSON.parse(entry.Detail),
      };
      for (const rule of this.rules) {
        if (rule.bus !== bus || !rule.sources.includes(entry.Source)) continue;
        if (!rule.detailTypes.includes(entry.DetailType)) continue;
        const queue = this.queues.get(rule.queue);
        if (queue) this.enqueue(queue, JSON.stringify(event));
      }
      return { EventId: id };
    });
    return { FailedEntryCount: 0, Entries: entries };
  }

  /** Puts a raw body on a queue (what a misrouted or hand-sent message looks like). */
  send(queueName: string, body: string): void {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    this.enqueue(queue, body);
  }

  private enqueue(queue: StoredMessage[], body: string): string {
    const id = randomUUID();
    queue.push({ id, body, visibleAtMs: 0, receives: 0 });
    return id;
  }

  private receive(
    queue: StoredMessage[],
    body: { MaxNumberOfMessages?: number; VisibilityTimeout?: number },
  ) {
    const max = Math.min(10, body.MaxNumberOfMessages ?? 1);
    const timeoutMs = (body.VisibilityTimeout ?? 30) * 1000;
    const messages = queue.filter((m) => m.visibleAtMs <= this.nowMs).slice(0, max);
    for (const m of messages) {
      m.receipt = randomUUID();
      m.visibleAtMs = this.nowMs + timeoutMs;
      m.receives += 1;
    }
    return {
      Messages: messages.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: m.receipt,
        MD5OfBody: md5(m.body),
        Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receives) },
      })),
    };
  }

  private delete(queue: StoredMessage[], receipt: string): boolean {
    const index = queue.findIndex((m) => m.receipt === receipt);
    if (index < 0) return false;
    queue.splice(index, 1);
    return true;
  }

  private queueOf(url: unknown): StoredMessage[] | undefined {
    const name = typeof url === 'string' ? url.split('/').pop() : undefined;
    return name ? this.queues.get(name) : undefined;
  }
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

function reply(response: ServerResponse, status: number, version: '1.0' | '1.1', body: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', `application/x-amz-json-${version}`);
  response.setHeader('x-amzn-RequestId', randomUUID());
  response.end(JSON.stringify(body));
}
