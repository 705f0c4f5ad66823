import { describe, expect, it } from 'vitest';
import { ByteSubjectTable } from './byte-subject-table.ts';
import { mulberry32 } from '@boundless/common/random';
import { SubjectTable } from './subject-table.ts';

const IDLE = 1_000;

function key(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** A table whose subjects remember their key, creation time and id, and count their lookups. */
function table() {
  return new ByteSubjectTable(IDLE, (buf, start, end, t, id) => ({
    key: buf.toString('utf8', start, end),
    createdMs: t,
    id,
    hits: 0,
  }));
}

describe('Class: ByteSubjectTable', () => {
  it('gives the same subject for the same bytes wherever they lie, and starts an idle subject over', () => {
    const subjects = table();
    const line = key('xx 10.0.0.1 yy');
    const first = subjects.get(line, 3, 11, 0);
    expect(subjects.fresh).toBe(true);
    expect(first.key).toBe('10.0.0.1');
    expect(subjects.get(key('10.0.0.1'), 0, 8, 500)).toBe(first);
    expect(subjects.fresh).toBe(false);
    // Idle for exactly IDLE is still the same episode; longer starts over under the same id.
    expect(subjects.get(key('10.0.0.1'), 0, 8, 1_500)).toBe(first);
    const again = subjects.get(key('10.0.0.1'), 0, 8, 2_501);
    expect(subjects.fresh).toBe(true);
    expect(again).not.toBe(first);
    expect(again.createdMs).toBe(2_501);
    expect(again.id).toBe(first.id);
  });

  it('reuses a remembered (id, serial) only for the same live episode and the same key bytes', () => {
    const subjects = table();
    const a = subjects.lookup(key('token-a'), 0, 7, 0);
    const b = subjects.lookup(key('token-b'), 0, 7, 0);
    const serialA = subjects.serialOf(a);
    expect(subjects.serialOf(b)).not.toBe(serialA);
    expect(subjects.reuse(a, serialA, key('token-a'), 0, 7, 100)).toBe(true);
    expect(subjects.fresh).toBe(false);
    // Other bytes, or a serial of another episode: look it up instead.
    expect(subjects.reuse(a, serialA, key('token-b'), 0, 7, 100)).toBe(false);
    expect(subjects.reuse(a, serialA + 100, key('token-a'), 0, 7, 100)).toBe(false);
    // Idle: reuse refuses, and lookup starts a new episode with a new serial.
    expect(subjects.reuse(a, serialA, key('token-a'), 0, 7, 1_101)).toBe(false);
    expect(subjects.lookup(key('token-a'), 0, 7, 1_101)).toBe(a);
    expect(subjects.fresh).toBe(true);
    expect(subjects.serialOf(a)).not.toBe(serialA);
    expect(subjects.reuse(a, serialA, key('token-a'), 0, 7, 1_102)).toBe(false);
  });

  it('reuses the ids of dropped subjects for new keys, and a remembered id of a dropped key no longer matches', () => {
    const subjects = table();
    const old = subjects.lookup(key('old'), 0, 3, 0);
    const serial = subjects.serialOf(old);
    // Two generations without 'old': it is dropped and its id freed.
    for (let t = 0; t <= 3 * IDLE; t += 100) subjects.get(key('busy'), 0, 4, t);
    expect(subjects.size).toBe(1);
    const fresh = subjects.lookup(key('new'), 0, 3, 3 * IDLE);
    expect(fresh).toBe(old);
    expect(subjects.value(fresh).key).toBe('new');
    expect(subjects.reuse(old, serial, key('old'), 0, 3, 3 * IDLE)).toBe(false);
  });

  it("judges idleness on the subject's own last-seen time when told to, as SubjectTable does", () => {
    const strings = new SubjectTable<{ lastSeenMs: number; n: number }>(IDLE, (_k, t) => ({
      lastSeenMs: t,
      n: t,
    }));
    const bytes = new ByteSubjectTable(
      IDLE,
      (_b, _s, _e, t) => ({ lastSeenMs: t, n: t }),
      (s) => s.lastSeenMs,
    );
    const a = bytes.get(key('acc|dev'), 0, 7, 0);
    const b = strings.get('acc|dev', 0);
    // Used by reference between lookups: seen at 900, so a lookup at 1_800 is not idle.
    a.lastSeenMs = 900;
    b.lastSeenMs = 900;
    expect(bytes.get(key('acc|dev'), 0, 7, 1_800)).toBe(a);
    expect(strings.get('acc|dev', 1_800)).toBe(b);
    // Not seen since: idle at 1_901 on both.
    expect(bytes.get(key('acc|dev'), 0, 7, 1_901).n).toBe(1_901);
    expect(strings.get('acc|dev', 1_901).n).toBe(1_901);
  });

  it('keeps keys longer than a record holds beside it', () => {
    const subjects = table();
    const long = 'x'.repeat(60);
    const longer = `${long}y`;
    const a = subjects.get(key(long), 0, 60, 0);
    const b = subjects.get(key(longer), 0, 61, 0);
    expect(a).not.toBe(b);
    expect(subjects.get(key(long), 0, 60, 10)).toBe(a);
    expect(a.key).toBe(long);
    const id = subjects.lookup(key(longer), 0, 61, 20);
    expect(subjects.reuse(id, subjects.serialOf(id), key(longer), 0, 61, 30)).toBe(true);
    expect(subjects.reuse(id, subjects.serialOf(id), key(long), 0, 60, 30)).toBe(false);
  });

  it('gives the same episodes as SubjectTable over a random stream of keys, with growth and drops', () => {
    const rand = mulberry32(7);
    const bytes = table();
    let created = 0;
    const strings = new SubjectTable<{ lastSeenMs: number; n: number }>(IDLE, (_k, t) => ({
      lastSeenMs: t,
      n: created++,
    }));
    const episodeOf = new Map<{ key: string }, number>();
    let t = 0;
    for (let i = 0; i < 50_000; i++) {
      // Bursts and pauses in event time, keys from a population that drifts (new ones keep arriving).
      t += rand() < 0.001 ? 3 * IDLE : Math.floor(rand() * 3);
      const k = `k${Math.floor(rand() * 3_000 + i / 10)}`;
      const expected = strings.get(k, t);
      expected.lastSeenMs = t;
      const actual = bytes.get(key(k), 0, k.length, t);
      expect(actual.key).toBe(k);
      const known = episodeOf.get(actual);
      if (known === undefined) {
        expect(bytes.fresh).toBe(true);
        episodeOf.set(actual, expected.n);
      } else {
        expect(bytes.fresh).toBe(false);
        expect(known).toBe(expected.n);
      }
    }
    expect(episodeOf.size).toBe(created);
  });
});
