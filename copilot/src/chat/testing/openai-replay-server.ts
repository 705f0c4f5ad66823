import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplayContent, ReplayStep } from './converse-replay-server.ts';

/**
 * A local server that speaks the OpenAI chat-completions protocol as Ollama and vLLM serve it (`POST
 * /v1/chat/completions`, JSON or server-sent events with a final usage chunk) and replays the same recorded
 * steps as the Converse replay server, so one recording drives both providers.
 */
export interface OpenAiReplayServer {
  /** Pass as the OpenAI-compatible base URL. */
  baseUrl: string;
  requests: { stream: boolean; text: string }[];
  close(): Promise<void>;
}

const estimate = (text: string) => Math.ceil(text.length / 4);

function toolCalls(content: ReplayContent[]) {
  return content.flatMap((block) => {
    if ('text' in block) return [];
    const call = 'toolUse' in block ? block.toolUse : block.toolUseRaw;
    const args = 'toolUse' in block ? JSON.stringify(block.toolUse.input) : block.toolUseRaw.inputJson;
    return [
      { id: call.toolUseId, type: 'function' as const, function: { name: call.name, arguments: args } },
    ];
  });
}

export async function startOpenAiReplayServer(steps: readonly ReplayStep[]): Promise<OpenAiReplayServer> {
  const queue = [...steps];
  const requests: OpenAiReplayServer['requests'] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const text = Buffer.concat(parts).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const stream = (JSON.parse(text) as { stream?: boolean }).stream === true;
    requests.push({ stream, text });
    const step = queue.shift();
    if (!step || !('reply' in step)) {
      const status = step && 'error' in step ? step.error.status : 500;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: step && 'error' in step ? step.error.message : 'no recorded response' },
        }),
      );
      return;
    }
    const content = step.reply.content.flatMap((b) => ('text' in b ? [b.text] : [])).join('');
    const calls = toolCalls(step.reply.content);
    const usage = {
      prompt_tokens: estimate(text),
      completion_tokens: estimate(content + JSON.stringify(calls)),
    };
    const finish = calls.length ? 'tool_calls' : 'stop';
    const base = { id: `chatcmpl-${randomUUID()}`, created: 1793612460, model: 'llama3.1:8b' };
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content, ...(calls.length ? { tool_calls: calls } : {}) },
              finish_reason: finish,
            },
          ],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const delta = (d: unknown, finishReason: string | null = null) =>
      send({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: d, finish_reason: finishReason }],
      });
    delta({ role: 'assistant', content: '' });
    for (let i = 0; i < content.length; i += 16) delta({ content: content.slice(i, i + 16) });
    calls.forEach((call, index) => {
      delta({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      });
      for (let i = 0; i < call.function.arguments.length; i += 24)
        delta({ tool_calls: [{ index, function: { arguments: call.function.arguments.slice(i, i + 24) } }] });
    });
    delta({}, finish);
    send({
      ...base,
      object: 'chat.completion.chunk',
      choices: [],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
    res.end('data: [DONE]\n\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
