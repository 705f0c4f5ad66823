import { describe, expect, it } from 'vitest';
import { Masker, StreamingUnmasker } from './masking.ts';

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJyZWFkZXItMDQ4IiwiYXVkIjoiYm91bmRsZXNzIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const BBT = 'v1.k1.tok_shared_0001.acct-42.0123456789abcdef.1793000000.1799999999.L3RpdGxlcy8.c2lnbmF0dXJl';

describe('Class: Masker', () => {
  describe('Method: mask', () => {
    it('replaces every kind of sensitive value and keeps the rest of the line', () => {
      const masker = new Masker();
      const line =
        `{"level":"WARN","message":"denied","clientIp":"81.169.145.10","email":"ana.silva@example.org",` +
        `"authorization":"Bearer ${JWT}","url":"/titles/t1/book.epub?bbt=${BBT}",` +
        `"role":"arn:aws:iam::123456789012:role/copilot","v6":"2001:db8::8a2e:370:7334","durationMs":812}`;
      const masked = masker.mask(line);
      for (const secret of [
        '81.169.145.10',
        'ana.silva@example.org',
        JWT,
        BBT,
        '123456789012',
        '2001:db8::8a2e:370:7334',
      ])
        expect(masked).not.toContain(secret);
      expect(masked).toContain('"level":"WARN"');
      expect(masked).toContain('"durationMs":812');
      expect(masked).toContain('/titles/t1/book.epub?bbt=<token-');
      expect(masker.unmask(masked)).toBe(line);
    });

    it('gives one value one placeholder for the whole incident, across calls', () => {
      const masker = new Masker();
      const first = masker.mask('from 10.1.2.3 and 10.9.9.9');
      const second = masker.mask('again 10.1.2.3');
      expect(first).toBe('from <ip-1> and <ip-2>');
      expect(second).toBe('again <ip-1>');
    });

    it('leaves timestamps, versions, durations and long ids alone', () => {
      const masker = new Masker();
      const text =
        'at 2026-11-02T10:00:05.123Z took 12:34:56, build 1.2.3.4.5, event 37956425164871234567890123456789, ts 1793000000123';
      expect(masker.mask(text)).toBe(text);
    });

    it('masks remembered values wherever they appear, and only whole values', () => {
      const masker = new Masker();
      masker.remember('reader-048', 'account');
      expect(masker.mask('account reader-048 opened; reader-0481 did not')).toBe(
        'account <account-1> opened; reader-0481 did not',
      );
    });

    it('is idempotent: masking masked text changes nothing', () => {
      const masker = new Masker();
      const once = masker.mask(`token=${BBT} from 10.0.0.7 user_id=u-77`);
      expect(masker.mask(once)).toBe(once);
    });

    it('finds key-value secrets inside JSON that was serialised twice', () => {
      const masker = new Masker();
      const twice = JSON.stringify({
        message: JSON.stringify({ tokenId: 'tok_A1b2C3d4E5', userId: 'u-19' }),
      });
      const masked = masker.mask(twice);
      expect(masked).not.toContain('tok_A1b2C3d4E5');
      expect(masked).not.toContain('u-19');
      expect(masker.unmask(masked)).toBe(twice);
    });

    it('masks keys and values inside objects', () => {
      const masker = new Masker();
      const masked = masker.maskDeep({ rows: [{ ip: '192.0.2.44', n: 3 }], by: { '192.0.2.44': 3 } });
      expect(JSON.stringify(masked)).not.toContain('192.0.2.44');
      expect(masker.unmaskDeep(masked)).toEqual({
        rows: [{ ip: '192.0.2.44', n: 3 }],
        by: { '192.0.2.44': 3 },
      });
    });
  });

  describe('Method: toJSON', () => {
    it('restores the same placeholders after a restart', () => {
      const before = new Masker();
      before.mask('10.0.0.1 mail a@b.io');
      const after = new Masker(JSON.parse(JSON.stringify(before.toJSON())));
      expect(after.mask('a@b.io then 10.0.0.1 then 10.0.0.2')).toBe('<email-1> then <ip-1> then <ip-2>');
      expect(after.unmask('<ip-2>')).toBe('10.0.0.2');
    });
  });

  describe('Method: unmask', () => {
    it('leaves placeholders it never issued as they are', () => {
      expect(new Masker().unmask('the model invented <ip-9>')).toBe('the model invented <ip-9>');
    });
  });
});

describe('Class: StreamingUnmasker', () => {
  it('restores placeholders split across deltas', () => {
    const masker = new Masker();
    masker.mask('10.20.30.40');
    const stream = new StreamingUnmasker(masker);
    const out = [
      stream.push('Traffic from <'),
      stream.push('ip'),
      stream.push('-1'),
      stream.push('> rose <4x'),
      stream.flush(),
    ];
    expect(out.join('')).toBe('Traffic from 10.20.30.40 rose <4x');
    expect(out[1]).toBe('');
  });
});
