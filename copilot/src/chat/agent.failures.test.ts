import { describe, expect, it } from 'vitest';
import { askBedrock, loadRecording } from './testing/chat-harness.ts';
import { corruptStreamBody, type ReplayStep } from './testing/converse-replay-server.ts';

const THROTTLED: ReplayStep = {
  error: {
    status: 429,
    type: 'ThrottlingException',
    message: 'Too many requests, please wait before trying again.',
  },
};
const ANSWER: ReplayStep = { reply: { content: [{ text: 'Nothing in the window points at a fault yet.' }] } };
const offline = async () => 'Offline mode: the diagnostician found no fault in the window.';

describe('Malformed model output', () => {
  it('answers tool input that is not JSON with an error, and the model tries again', async () => {
    const { answer, calls, server } = await askBedrock(
      [
        {
          reply: {
            content: [
              { toolUseRaw: { toolUseId: 'tooluse_M1', name: 'traces', inputJson: 'filter=fault, please' } },
            ],
          },
        },
        {
          reply: {
            content: [{ toolUse: { toolUseId: 'tooluse_M2', name: 'traces', input: { filter: 'fault' } } }],
          },
        },
        { reply: { content: [{ text: 'The faulted trace ends in DynamoDB [E1].' }] } },
      ],
      'Any faults?',
    );
    expect(answer.steps.map((s) => s.outcome)).toEqual(['invalid_arguments', 'success']);
    expect(server.requests[1]?.text).toContain('were not a JSON object');
    expect(calls).toHaveLength(1);
    expect(answer.text).toBe('The faulted trace ends in DynamoDB [E1].');
  });

  it('answers arguments that do not fit the tool with the schema error, and the model corrects them', async () => {
    const { answer, calls, server } = await askBedrock(
      [
        {
          reply: {
            content: [
              {
                toolUse: { toolUseId: 'tooluse_V1', name: 'logs_query', input: { query: 42, limit: 'many' } },
              },
            ],
          },
        },
        {
          reply: {
            content: [
              {
                toolUse: {
                  toolUseId: 'tooluse_V2',
                  name: 'logs_query',
                  input: { query: 'filter level = "ERROR"' },
                },
              },
            ],
          },
        },
        { reply: { content: [{ text: 'GetItem calls time out [E1].' }] } },
      ],
      'Errors?',
    );
    expect(answer.steps.map((s) => s.outcome)).toEqual(['invalid_arguments', 'success']);
    expect(server.requests[1]?.text).toMatch(/invalid arguments for logs_query.*expected string/s);
    expect(calls).toHaveLength(1);
    expect(answer.citations.map((c) => c.id)).toEqual(['E1']);
  });

  it('ends with a clear outcome when Converse answers with a body that is not JSON', async () => {
    const { answer } = await askBedrock(
      [
        {
          raw: {
            status: 200,
            contentType: 'application/json',
            body: '{"output": {"message": {"role": "assist',
          },
        },
      ],
      'What is failing?',
      { stream: false, fallback: offline },
    );
    expect(answer.stopped).toMatchObject({ reason: 'model_error' });
    expect(answer.text).toMatch(/not a valid model response/);
    expect(answer.text).toContain('Offline mode: the diagnostician found no fault in the window.');
  });

  it('ends with a clear outcome when a ConverseStream frame fails its checksum', async () => {
    const { answer } = await askBedrock(
      [
        {
          raw: {
            status: 200,
            contentType: 'application/vnd.amazon.eventstream',
            body: corruptStreamBody(),
            encoding: 'base64',
          },
        },
      ],
      'What is failing?',
      { maxAttempts: 1 },
    );
    expect(answer.stopped).toMatchObject({ reason: 'model_error' });
    expect(answer.text).toMatch(
      /^Bedrock anthropic\.claude-3-5-haiku-20241022-v1:0 .*(not a valid model response|failed|unavailable)/,
    );
  });

  it('says so when the model returns an empty answer', async () => {
    const { answer } = await askBedrock(
      [{ reply: { content: [], stopReason: 'end_turn' } }],
      'What is failing?',
    );
    expect(answer.stopped).toMatchObject({
      reason: 'model_error',
      detail: 'the model returned an empty answer',
    });
    expect(answer.text).toMatch(/returned an empty answer/);
  });
});

describe('Throttling', () => {
  it('gets through when the SDK retry outlasts the throttling', async () => {
    const { answer, server } = await askBedrock([THROTTLED, THROTTLED, ANSWER], 'Anything wrong?');
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.requestId)).size).toBe(3);
    expect(answer.stopped).toBeUndefined();
    expect(answer.text).toBe('Nothing in the window points at a fault yet.');
    expect(answer.usage.modelCalls).toBe(1);
  });

  it('ends with a clear outcome and the offline answer when every attempt is throttled', async () => {
    const { answer, server } = await askBedrock([THROTTLED, THROTTLED, THROTTLED], 'Anything wrong?', {
      fallback: offline,
    });
    expect(server.requests).toHaveLength(3);
    expect(answer.stopped).toMatchObject({ reason: 'model_error' });
    expect(answer.text).toMatch(/is throttling requests \(ThrottlingException\) after 3 attempts/);
    expect(answer.text).toContain('Offline mode: the diagnostician found no fault');
    expect(answer.usage.modelCalls).toBe(0);
  });
});

describe('Throttling inside a stream', () => {
  it('ends with a clear outcome when Bedrock throttles after the answer began', async () => {
    const { answer } = await askBedrock(
      [
        {
          streamException: {
            text: 'The errors start at',
            type: 'throttlingException',
            message: 'Too many tokens, please wait.',
          },
        },
      ],
      'Anything wrong?',
      { fallback: offline },
    );
    expect(answer.stopped).toMatchObject({ reason: 'model_error' });
    expect(answer.text).toMatch(/is throttling requests \(ThrottlingException\)/);
    expect(answer.text).toContain('Offline mode: the diagnostician found no fault');
  });
});

describe('A model that does not answer', () => {
  it("ends at the answer's deadline with a clear outcome", async () => {
    const { answer } = await askBedrock([{ stall: { ms: 3_000 } }], 'Anything wrong?', {
      timeoutMs: 300,
      maxAttempts: 1,
      fallback: offline,
    });
    expect(answer.stopped).toMatchObject({ reason: 'model_error' });
    expect(answer.text).toMatch(/did not answer in time/);
    expect(answer.text).toContain('Offline mode: the diagnostician found no fault');
  });
});

describe('Budget and transport', () => {
  it("stops before a model call the incident's token budget would not cover, with a summary", async () => {
    const { answer, server, calls } = await askBedrock(loadRecording('bedrock-dependency-timeout'), 'Why?', {
      budget: { maxTokensPerIncident: 4_000 },
    });
    expect(answer.stopped).toMatchObject({ reason: 'budget' });
    expect(answer.text).toMatch(/^I stopped investigating: the incident's token and cost budget/);
    expect(server.requests.length).toBeLessThan(4);
    expect(calls.length).toBeGreaterThan(0);
    const used = answer.budget.used.inputTokens + answer.budget.used.outputTokens;
    expect(used).toBeLessThanOrEqual(4_000);
    expect(answer.budget.remainingTokens).toBe(4_000 - used);
  });

  it('runs the same conversation over Converse when not streaming', async () => {
    const { answer, server } = await askBedrock(loadRecording('bedrock-dependency-timeout'), 'Why?', {
      stream: false,
    });
    expect(server.requests.map((r) => r.operation)).toEqual(Array(4).fill('Converse'));
    expect(answer.citations.map((c) => c.id)).toEqual(['E1', 'E2', 'E3']);
    expect(answer.suggestions).toHaveLength(1);
  });
});
