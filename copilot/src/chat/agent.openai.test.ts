import { describe, expect, it } from 'vitest';
import { askOpenAi, loadRecording, SENSITIVE } from './testing/chat-harness.ts';

describe('Function: runAgentTurn (OpenAI-compatible endpoint, replayed)', () => {
  it('runs the same recorded investigation through ChatOpenAI, streamed over server-sent events', async () => {
    const { answer, calls, server } = await askOpenAi(loadRecording('bedrock-dependency-timeout'), 'Why?');
    expect(server.requests.map((r) => r.stream)).toEqual([true, true, true, true]);
    expect(calls.map((c) => c.tool)).toEqual(['logs_query', 'traces']);
    expect(answer).toMatchObject({
      mode: 'openai',
      model: expect.stringContaining('llama3.1:8b at http://127.0.0.1:'),
    });
    expect(answer.citations.map((c) => c.id)).toEqual(['E1', 'E2', 'E3']);
    expect(answer.text).toContain('Requests from 198.51.100.23 were among the failures [E1]');
    expect(answer.suggestions).toHaveLength(1);
    for (const request of server.requests)
      for (const value of SENSITIVE) expect(request.text).not.toContain(value);
    // A self-hosted model has no price unless one is configured: tokens are counted, cost stays 0.
    expect(answer.usage).toMatchObject({ modelCalls: 4, costUsd: 0, estimatedCalls: 0 });
    expect(answer.budget.remainingUsd).toBeNull();
  });

  it('asks for whole answers when not streaming', async () => {
    const { answer, server } = await askOpenAi(loadRecording('bedrock-dependency-timeout'), 'Why?', {
      stream: false,
    });
    expect(server.requests.map((r) => r.stream)).toEqual([false, false, false, false]);
    expect(answer.citations).toHaveLength(3);
  });
});
