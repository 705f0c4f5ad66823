import { describe, expect, it } from 'vitest';
import { CopilotConfigError, loadCopilotConfig } from '../config/copilot-config.ts';

describe('Function: loadCopilotConfig (chat)', () => {
  it('is offline unless a model is configured', () => {
    expect(loadCopilotConfig({}, {}).chat).toMatchObject({
      mode: 'offline',
      budget: { maxTokensPerIncident: 200_000, maxCostUsdPerIncident: 1, maxOutputTokensPerCall: 1_024 },
      loop: { maxToolCalls: 12, maxModelCalls: 8, maxRepeats: 3 },
    });
  });

  it('chooses Bedrock from a model id and the OpenAI-compatible path from a base URL', () => {
    const bedrock = loadCopilotConfig(
      {},
      {
        COPILOT_BEDROCK_MODEL_ID: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
        COPILOT_CHAT_MAX_TOKENS: '50000',
      },
    );
    expect(bedrock.chat).toMatchObject({
      mode: 'bedrock',
      bedrock: { maxAttempts: 3 },
      budget: { maxTokensPerIncident: 50_000 },
    });
    const openai = loadCopilotConfig(
      {},
      { COPILOT_OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', COPILOT_OPENAI_MODEL: 'llama3.1:8b' },
    );
    expect(openai.chat).toMatchObject({ mode: 'openai', openai: { model: 'llama3.1:8b' } });
  });

  it('lets explicit options win over the environment, section by section', () => {
    const config = loadCopilotConfig(
      { chat: { mode: 'offline', loop: { maxToolCalls: 4 } } },
      { COPILOT_BEDROCK_MODEL_ID: 'amazon.nova-lite-v1:0', COPILOT_CHAT_MAX_TOOL_CALLS: '20' },
    );
    expect(config.chat).toMatchObject({
      mode: 'offline',
      loop: { maxToolCalls: 4 },
      bedrock: { modelId: 'amazon.nova-lite-v1:0' },
    });
  });

  it('refuses a mode without what it needs, and bad numbers, naming each problem', () => {
    expect(() => loadCopilotConfig({}, { COPILOT_CHAT_MODE: 'bedrock' })).toThrow(
      /chat\.bedrock\.modelId: bedrock mode needs COPILOT_BEDROCK_MODEL_ID/,
    );
    expect(() =>
      loadCopilotConfig({}, { COPILOT_CHAT_MODE: 'openai', COPILOT_OPENAI_BASE_URL: 'http://x:1/v1' }),
    ).toThrow(/openai mode needs COPILOT_OPENAI_BASE_URL and COPILOT_OPENAI_MODEL/);
    expect(() =>
      loadCopilotConfig({}, { COPILOT_CHAT_MAX_TOKENS: 'lots', COPILOT_CHAT_MODE: 'gpt' }),
    ).toThrow(CopilotConfigError);
  });
});
