import { describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_LOG_FIELDS,
  cloudFrontLogHeader,
  cloudFrontLogTimestamp,
  formatCloudFrontLogLine,
} from './cloudfront-log.ts';

describe('Module: cloudfront-log', () => {
  it('names all 33 standard log fields in the header', () => {
    expect(CLOUDFRONT_LOG_FIELDS).toHaveLength(33);
    const fieldsLine = cloudFrontLogHeader().split('\n')[1] ?? '';
    expect(fieldsLine.replace('#Fields: ', '').split(' ')).toEqual([...CLOUDFRONT_LOG_FIELDS]);
  });

  it('writes 33 tab-separated values, dashes for missing ones and encoded spaces', () => {
    const line = formatCloudFrontLogLine({ 'c-ip': '203.0.113.9', 'cs(User-Agent)': 'Reader App/2.1 (iOS)' });
    const values = line.trimEnd().split('\t');
    expect(values).toHaveLength(33);
    expect(values[4]).toBe('203.0.113.9');
    expect(values[10]).toBe('Reader%20App/2.1%20(iOS)');
    expect(values[0]).toBe('-');
  });

  it('encodes characters beyond the Basic Multilingual Plane and lone surrogates without throwing', () => {
    const line = formatCloudFrontLogLine({ 'cs(User-Agent)': 'Reader 📚', 'cs(Referer)': 'x\ud800y' });
    const values = line.trimEnd().split('\t');
    expect(values[10]).toBe('Reader%20%F0%9F%93%9A');
    expect(values[9]).toBe('x%EF%BF%BDy');
  });

  it('formats event time as UTC date and time', () => {
    expect(cloudFrontLogTimestamp(Date.UTC(2026, 10, 21, 7, 5, 9))).toEqual({
      date: '2026-11-21',
      time: '07:05:09',
    });
  });
});
