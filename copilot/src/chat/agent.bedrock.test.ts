import { describe, expect, it } from 'vitest';
import { askBedrock, loadRecording, SENSITIVE } from './testing/chat-harness.ts';

describe('Function: runAgentTurn (Bedrock, replayed)', () => {
  it('answers with tool calls over ConverseStream, citations that exist, and a recorded suggestion', async () => {
    const { answer, events, calls, server } = await askBedrock(
      loadRecording('bedrock-dependency-timeout'),
      'Why is catalog availability burning its budget?',
    );
    expect(server.requests.map((r) => r.operation)).toEqual(Array(4).fill('ConverseStream'));
    expect(calls.map((c) => c.tool)).toEqual(['logs_query', 'traces']);
    expect(answer.mode).toBe('bedrock');
    expect(answer.text).toContain('[E1, E2]');
    expect(answer.text).not.toContain('E9');
    expect(answer.unknownCitations).toEqual(['E9']);
    expect(answer.citations.map((c) => c.id)).toEqual(['E1', 'E2', 'E3']);
    expect(answer.citations[2]).toMatchObject({
      kind: 'trace',
      ref: { traceId: '1-6565a1b0-4f3c2d1e0a9b8c7d6e5f4a3b' },
    });
    expect(answer.suggestions).toEqual([
      expect.objectContaining({
        action: 'rollback_deploy',
        target: { component: 'catalog-api' },
        evidence: ['E1', 'E3'],
        by: 'model',
      }),
    ]);
    // Placeholders are restored for the operator...
    expect(answer.text).toContain('Requests from 198.51.100.23 were among the failures');
    // ...and nothing sensitive ever left for the model.
    for (const request of server.requests)
      for (const value of SENSITIVE) expect(request.text).not.toContain(value);
    expect(server.requests[1]?.text).toContain('<ip-1>');
    // The answer streamed: the deltas add up to the final text (before citation clean-up).
    const streamed = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(streamed).toContain('Requests from 198.51.100.23 were among the failures [E1]');
    expect(answer.usage.modelCalls).toBe(4);
    expect(answer.usage.inputTokens).toBeGreaterThan(1000);
    expect(answer.budget.used.inputTokens).toBe(answer.usage.inputTokens);
  });
});
