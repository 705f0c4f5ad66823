import { describe, expect, it } from 'vitest';
import { LoopGuard, normaliseArgs, similarity } from './loop-guard.ts';

const query = (text: string, from = '2026-11-02T10:00:00Z', to = '2026-11-02T10:30:00Z') => ({
  logGroups: ['/aws/lambda/api'],
  query: text,
  from,
  to,
});

describe('Function: normaliseArgs', () => {
  it('ignores key spelling and order, letter case, whitespace, seconds and empty values', () => {
    const a = normaliseArgs({
      query: 'filter @message like /ERROR/',
      start_time: '2026-11-02T10:00:05Z',
      limit: '20',
    });
    const b = normaliseArgs({
      limit: 20,
      StartTime: '2026-11-02T10:00:40.000Z',
      Query: '  filter  @message like /error/ ',
      x: '',
    });
    expect(similarity(a, b)).toBe(1);
  });

  it('treats lists of values as sets', () => {
    expect(similarity(normaliseArgs({ ids: ['b', 'a', 'a'] }), normaliseArgs({ ids: ['a', 'b'] }))).toBe(1);
  });
});

describe('Class: LoopGuard', () => {
  describe('Method: check', () => {
    it('allows different questions', () => {
      const guard = new LoopGuard();
      expect(guard.check('logs_query', query('filter level = "ERROR"')).allow).toBe(true);
      expect(guard.check('traces', { from: '2026-11-02T10:00:00Z', filter: 'fault' }).allow).toBe(true);
      expect(guard.check('logs_query', query('stats count() by bin(1m)')).allow).toBe(true);
      expect(
        guard.check(
          'logs_query',
          query('filter level = "ERROR"', '2026-11-01T10:00:00Z', '2026-11-01T10:30:00Z'),
        ).allow,
      ).toBe(true);
      // Same window and filter, another grouping: a different question.
      expect(
        guard.check('logs_query', query('filter level = "ERROR" | stats count() by service')).allow,
      ).toBe(true);
      expect(
        guard.check('logs_query', query('filter level = "ERROR" | stats count() by bin(1m)')).allow,
      ).toBe(true);
    });

    it('refuses an exact repeat, and names the earlier call', () => {
      const guard = new LoopGuard();
      guard.check('logs_query', query('filter level = "ERROR"'));
      const verdict = guard.check('logs_query', query('filter level = "ERROR"'));
      expect(verdict).toMatchObject({ allow: false, reason: 'repeat', earlier: 0 });
    });

    it('refuses a near duplicate: other letter case, a window shifted by a minute, one more word', () => {
      const guard = new LoopGuard();
      guard.check(
        'logs_query',
        query('fields @timestamp, @message | filter @message like /timeout/ | limit 50'),
      );
      const verdict = guard.check(
        'logs_query',
        query(
          'fields @timestamp, @message | filter @message like /Timeout/ | sort @timestamp desc | limit 50',
          '2026-11-02T10:01:00Z',
          '2026-11-02T10:31:00Z',
        ),
      );
      expect(verdict).toMatchObject({ allow: false, reason: 'near_duplicate' });
    });

    it('recognises two calls taking turns as a cycle', () => {
      const guard = new LoopGuard({ maxToolCalls: 20, maxModelCalls: 20, maxRepeats: 5, nearDuplicate: 0.8 });
      guard.check('metrics', { metric: 'Errors', from: '2026-11-02T10:00:00Z' });
      guard.check('traces', { filter: 'fault', from: '2026-11-02T10:00:00Z' });
      guard.check('metrics', { metric: 'errors', from: '2026-11-02T10:02:00Z' });
      const verdict = guard.check('traces', { filter: 'fault', from: '2026-11-02T10:01:00Z' });
      expect(verdict).toMatchObject({ allow: false, reason: 'cycle' });
    });

    it('stops the loop after too many repeats, and refuses everything after', () => {
      const guard = new LoopGuard({ maxToolCalls: 20, maxModelCalls: 20, maxRepeats: 2, nearDuplicate: 0.8 });
      guard.check('logs_query', query('a b c'));
      guard.check('logs_query', query('a b c'));
      expect(guard.stopReason).toBeUndefined();
      guard.check('logs_query', query('A B C'));
      expect(guard.stopReason).toBe('repeats');
      expect(guard.check('traces', { filter: 'error' })).toMatchObject({
        allow: false,
        reason: 'tool_limit',
      });
    });

    it('stops at the tool-call limit', () => {
      const guard = new LoopGuard({ maxToolCalls: 2, maxModelCalls: 20, maxRepeats: 5, nearDuplicate: 0.8 });
      expect(guard.check('a', { q: 1 }).allow).toBe(true);
      expect(guard.check('b', { q: 1 }).allow).toBe(true);
      expect(guard.check('c', { q: 1 })).toMatchObject({ allow: false, reason: 'tool_limit' });
      expect(guard.stopReason).toBe('tool_limit');
    });
  });

  describe('Method: beginModelCall', () => {
    it('counts model calls and flags the last one', () => {
      const guard = new LoopGuard({ maxToolCalls: 5, maxModelCalls: 2, maxRepeats: 3, nearDuplicate: 0.8 });
      expect(guard.beginModelCall()).toBe(true);
      expect(guard.stopReason).toBeUndefined();
      expect(guard.beginModelCall()).toBe(true);
      expect(guard.stopReason).toBe('model_limit');
      expect(guard.beginModelCall()).toBe(false);
    });
  });
});
