import { describe, expect, it } from 'vitest';
import { emfValue } from './evidence-resolver.ts';

const doc = (extra: Record<string, unknown>) =>
  JSON.stringify({
    _aws: {
      Timestamp: 1,
      CloudWatchMetrics: [{ Namespace: 'App', Dimensions: [['Service']], Metrics: [{ Name: 'Errors' }] }],
    },
    Service: 'checkout',
    ...extra,
  });

describe('Function: emfValue', () => {
  it('reads a declared metric with matching dimensions, and sums value arrays', () => {
    expect(emfValue(doc({ Errors: 4 }), 'App', 'Errors', { Service: 'checkout' })).toBe(4);
    expect(emfValue(doc({ Errors: [1, 2, 3] }), undefined, 'Errors', {})).toBe(6);
  });

  it('ignores other namespaces, dimensions, undeclared metrics and lines that are not EMF', () => {
    expect(emfValue(doc({ Errors: 4 }), 'Other', 'Errors', {})).toBeUndefined();
    expect(emfValue(doc({ Errors: 4 }), 'App', 'Errors', { Service: 'cart' })).toBeUndefined();
    expect(emfValue(doc({ Latency: 4 }), 'App', 'Latency', {})).toBeUndefined();
    expect(emfValue('{"_aws": not json', 'App', 'Errors', {})).toBeUndefined();
    expect(emfValue('plain text line', 'App', 'Errors', {})).toBeUndefined();
  });
});
