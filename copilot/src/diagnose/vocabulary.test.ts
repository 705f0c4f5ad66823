import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../telemetry/types.ts';
import { vocabularyFacts } from './vocabulary.ts';

const line = (text: string, errorMessage?: string): LogRecord => ({
  group: '/svc/checkout',
  stream: 's',
  id: text,
  timestampMs: 0,
  message: text,
  kind: 'structured',
  level: 'error',
  text,
  ...(errorMessage ? { errorMessage } : {}),
});

describe('Function: vocabularyFacts', () => {
  it('reads what the error or exception says, not only the message', () => {
    const facts = vocabularyFacts([
      line('request failed', 'call to ledger timed out after 3000 ms'),
      line('request failed', 'ProvisionedThroughputExceededException: rate exceeded'),
      line('request failed', 'JavaScript heap out of memory'),
      line('request failed'),
    ]);
    expect(facts).toMatchObject({ timeoutWords: 0.25, throttleWords: 0.25, memoryWords: 0.25 });
  });

  it('counts a line once when its message and its error say the same', () => {
    expect(vocabularyFacts([line('upstream timed out', 'timeout')]).timeoutWords).toBe(1);
  });

  it('does not read a kind of fault the line says did not happen (a zero count, a denial)', () => {
    const facts = vocabularyFacts([
      line('batch failed: 3 errors, 0 timeouts'),
      line('request failed', 'upstream refused, no timeout'),
    ]);
    expect(facts.timeoutWords).toBe(0);
  });
});
