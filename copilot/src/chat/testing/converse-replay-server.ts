import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeEvent, encodeEventStreamMessage, encodeException } from './event-stream.ts';

/**
 * A local server that speaks the Bedrock Runtime Converse and ConverseStream protocols (REST-JSON, SigV4-signed
 * requests it does not check, event-stream framed answers) and replays a recorded conversation: each model
 * request takes the next step of the script. The real `BedrockRuntimeClient` and `ChatBedrockConverse` talk to
 * it unchanged. Every request is kept, so tests can assert what left for the model.
 */
export type ReplayContent =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  /** Stream only: the tool input as the model streamed it, possibly not JSON at all. */
  | { toolUseRaw: { toolUseId: string; name: string; inputJson: string } };

export type ReplayStep =
  | {
      reply: {
        content: ReplayContent[];
        stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
        /** Omitted: estimated from the request and the reply at ~4 characters per token. */
        usage?: { inputTokens: number; outputTokens: number };
      };
    }
  /** An AWS error answer, e.g. `{status: 429, type: 'ThrottlingException'}`. */
  | { error: { status: number; type: string; message: string } }
  /** A model that does not answer for this long (the connection stays open). */
  | { stall: { ms: number } }
  /** ConverseStream only: the answer starts, then an exception event arrives inside the stream. */
  | { streamException: { text: string; type: string; message: string } }
  /** Bytes that are not what the protocol promises (malformed JSON, a truncated stream). */
  | { raw: { status: number; contentType: string; body: string; encoding?: 'utf8' | 'base64' } };

interface RecordedRequest {
  operation: 'Converse' | 'ConverseStream';
  modelId: string;
  requestId: string;
  body: ConverseRequestBody;
  /** The raw body as it arrived, for checks that nothing unmasked left. */
  text: string;
}

interface ConverseRequestBody {
  system?: { text?: string }[];
  messages?: { role: string; content: Record<string, unknown>[] }[];
  toolConfig?: { tools?: { toolSpec?: { name: string } }[] };
  inferenceConfig?: Record<string, unknown>;
}

export interface ConverseReplayServer {
  /** Pass as the `BedrockRuntimeClient` endpoint. */
  url: string;
  requests: RecordedRequest[];
  /** Steps not yet used. */
  remaining(): number;
  close(): Promise<void>;
}

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function replyText(content: ReplayContent[]): string {
  return content
    .map((block) => {
      if ('text' in block) return block.text;
      if ('toolUse' in block) return block.toolUse.name + JSON.stringify(block.toolUse.input);
      return block.toolUseRaw.name + block.toolUseRaw.inputJson;
    })
    .join('');
}

function usageOf(step: Extract<ReplayStep, { reply: unknown }>, requestText: string) {
  const { inputTokens, outputTokens } = step.reply.usage ?? {
    inputTokens: estimateTokens(requestText),
    outputTokens: estimateTokens(replyText(step.reply.content)),
  };
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

function stopReasonOf(step: Extract<ReplayStep, { reply: unknown }>) {
  const usesTool = step.reply.content.some((block) => !('text' in block));
  return step.reply.stopReason ?? (usesTool ? 'tool_use' : 'end_turn');
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

function streamEvents(step: Extract<ReplayStep, { reply: unknown }>, requestText: string): Buffer[] {
  const frames = [encodeEvent('messageStart', { role: 'assistant' })];
  step.reply.content.forEach((block, index) => {
    if ('text' in block) {
      for (const part of chunks(block.text, 16))
        frames.push(encodeEvent('contentBlockDelta', { contentBlockIndex: index, delta: { text: part } }));
    } else {
      const { toolUseId, name } = 'toolUse' in block ? block.toolUse : block.toolUseRaw;
      const input = 'toolUse' in block ? JSON.stringify(block.toolUse.input) : block.toolUseRaw.inputJson;
      frames.push(
        encodeEvent('contentBlockStart', {
          contentBlockIndex: index,
          start: { toolUse: { toolUseId, name } },
        }),
      );
      for (const part of chunks(input, 24))
        frames.push(
          encodeEvent('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: part } } }),
        );
    }
    frames.push(encodeEvent('contentBlockStop', { contentBlockIndex: index }));
  });
  frames.push(encodeEvent('messageStop', { stopReason: stopReasonOf(step) }));
  frames.push(encodeEvent('metadata', { usage: usageOf(step, requestText), metrics: { latencyMs: 5 } }));
  return frames;
}

function converseBody(step: Extract<ReplayStep, { reply: unknown }>, requestText: string) {
  const content = step.reply.content.map((block) => {
    if ('toolUseRaw' in block) throw new Error('toolUseRaw is only for ConverseStream replies');
    return block;
  });
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: stopReasonOf(step),
    usage: usageOf(step, requestText),
    metrics: { latencyMs: 5 },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startConverseReplayServer(steps: readonly ReplayStep[]): Promise<ConverseReplayServer> {
  const queue = [...steps];
  const requests: RecordedRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(req.url ?? '');
    const text = await readBody(req);
    const headers = { 'x-amzn-requestid': requestId };
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { ...headers, 'x-amzn-errortype': 'UnknownOperationException' });
      res.end(JSON.stringify({ message: `no route ${req.method} ${req.url}` }));
      return;
    }
    const operation = match[2] === 'converse' ? 'Converse' : 'ConverseStream';
    requests.push({
      operation,
      modelId: decodeURIComponent(match[1] ?? ''),
      requestId,
      body: JSON.parse(text) as ConverseRequestBody,
      text,
    });
    const step = queue.shift();
    if (!step) {
      // A recorded conversation that ran out: the test asked for more model calls than were recorded.
      res.writeHead(400, { ...headers, 'x-amzn-errortype': 'ValidationException' });
      res.end(JSON.stringify({ message: 'replay script exhausted: no recorded response left' }));
      return;
    }
    if ('error' in step) {
      res.writeHead(step.error.status, {
        ...headers,
        'content-type': 'application/json',
        'x-amzn-errortype': step.error.type,
      });
      res.end(JSON.stringify({ message: step.error.message }));
      return;
    }
    if ('raw' in step) {
      res.writeHead(step.raw.status, { ...headers, 'content-type': step.raw.contentType });
      res.end(Buffer.from(step.raw.body, step.raw.encoding ?? 'utf8'));
      return;
    }
    if ('stall' in step) {
      await new Promise((resolve) => setTimeout(resolve, step.stall.ms));
      res.writeHead(500, { ...headers, 'x-amzn-errortype': 'InternalServerException' });
      res.end(JSON.stringify({ message: 'stalled' }));
      return;
    }
    if ('streamException' in step) {
      const { text: partial, type, message } = step.streamException;
      res.writeHead(200, { ...headers, 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(encodeEvent('messageStart', { role: 'assistant' }));
      res.write(encodeEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: partial } }));
      res.end(encodeException(type, message));
      return;
    }
    if (operation === 'Converse') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(converseBody(step, text)));
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/vnd.amazon.eventstream' });
    for (const frame of streamEvents(step, text)) res.write(frame);
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'x-amzn-errortype': 'InternalServerException' });
      res.end(JSON.stringify({ message: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    remaining: () => queue.length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** (base64) A stream whose second frame fails its CRC: what a truncated or corrupted answer looks like to the SDK. */
export function corruptStreamBody(): string {
  const good = encodeEvent('messageStart', { role: 'assistant' });
  const bad = encodeEventStreamMessage(
    { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from('{"contentBlockIndex":0,"delta":{"text":"hel'),
  );
  bad.writeUInt32BE(0, bad.length - 4);
  return Buffer.concat([good, bad]).toString('base64');
}
