import { CLOUDFRONT_LOG_FIELDS, formatCloudFrontLogLine } from '@boundless/delivery';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineFormatter } from './log-line.ts';

describe('Function: createLineFormatter', () => {
  it('produces exactly the shared formatter output for any record', () => {
    const format = createLineFormatter();
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(''),
      fc.string(),
      fc.string({ unit: fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) }),
      fc.constantFrom('Mozilla/5.0 (X11; Linux x86_64)', 'a\tb', '100%', 'ü "q"'),
      fc.integer(),
      fc.double({ noNaN: true }),
    );
    const record = fc.dictionary(fc.constantFrom(...CLOUDFRONT_LOG_FIELDS), value);
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 5 }), (records) => {
        for (const r of records) expect(format(r)).toBe(formatCloudFrontLogLine(r));
      }),
      { numRuns: 300 },
    );
  });

  it('escapes characters beyond the BMP and stray surrogates instead of throwing', () => {
    const line = createLineFormatter()({ 'cs(User-Agent)': 'Reader 📚', 'cs(Referer)': 'x\ud800y' });
    expect(line).toContain('Reader%20%F0%9F%93%9A');
    expect(line).toContain('x%EF%BF%BDy');
  });
});
