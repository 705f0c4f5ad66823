import { describe, expect, it } from 'vitest';
import { CohortPace, sessionClass } from './cohort.ts';
import {
  CLASS_AUDIO,
  CLASS_IMAGE,
  CLASS_OTHER,
  CLASS_TEXT,
  CLASS_VIDEO,
  contentTypeClass,
  extensionClass,
} from './content.ts';
import { combined, corroboration, reportable, stepped } from './evidence.ts';

const bytes = (path: string) => Buffer.from(path);
const classOf = (path: string) => extensionClass(bytes(path), 0, path.length);

describe('Function: extensionClass', () => {
  it('tells reading, looking, listening and watching from the extension, whatever the naming', () => {
    expect(classOf('/titles/t1/epub/ch001.xhtml')).toBe(CLASS_TEXT);
    expect(classOf('/titles/bk-1f/c/0001.HTML')).toBe(CLASS_TEXT);
    expect(classOf('/titles/t1/pages/p001.jpg')).toBe(CLASS_IMAGE);
    expect(classOf('/titles/bk-1f/p/0001.webp')).toBe(CLASS_IMAGE);
    expect(classOf('/titles/t1/audio/track001.m4a')).toBe(CLASS_AUDIO);
    expect(classOf('/titles/ed-9/listen/part-01.mp3')).toBe(CLASS_AUDIO);
    expect(classOf('/titles/t1/media/clip001.mp4')).toBe(CLASS_VIDEO);
    expect(classOf('/titles/t1/manifest.json')).toBe(CLASS_OTHER);
    expect(classOf('/titles/t1/chapter-one')).toBeUndefined();
    expect(classOf('/titles/t1.d/readme')).toBeUndefined();
  });

  it('falls back on the logged content type', () => {
    expect(contentTypeClass('audio/mpeg')).toBe(CLASS_AUDIO);
    expect(contentTypeClass('application/xhtml+xml')).toBe(CLASS_TEXT);
    expect(contentTypeClass('image/webp')).toBe(CLASS_IMAGE);
    expect(contentTypeClass('application/json')).toBe(CLASS_OTHER);
  });
});

describe('Class: CohortPace', () => {
  it('stands in a prior faster than anyone until the cohort has enough reading sessions, then its median', () => {
    const cohort = new CohortPace();
    expect(cohort.medianRate(CLASS_TEXT)).toBeUndefined();
    const prior = cohort.humanSeconds(CLASS_TEXT, 45_000);
    for (let s = 0; s < 100; s++) cohort.observeSession(CLASS_TEXT, 300 * (600 + s), 600 + s);
    expect(cohort.medianRate(CLASS_TEXT)).toBeGreaterThan(250);
    expect(cohort.medianRate(CLASS_TEXT)).toBeLessThan(360);
    expect(cohort.humanSeconds(CLASS_TEXT, 45_000)).toBeGreaterThan(5 * prior);
  });

  it('takes the median from its sixteenth reading session, not before', () => {
    const cohort = new CohortPace();
    for (let s = 0; s < 15; s++) cohort.observeSession(CLASS_AUDIO, 8_000 * (900 + s), 900 + s);
    expect(cohort.medianRate(CLASS_AUDIO)).toBeUndefined();
    cohort.observeSession(CLASS_AUDIO, 8_000 * 900, 900);
    expect(cohort.medianRate(CLASS_AUDIO)).toBeGreaterThan(6_500);
    expect(cohort.medianRate(CLASS_AUDIO)).toBeLessThan(9_500);
    // An audiobook's part of five minutes is worth minutes, not the prior's seconds.
    expect(cohort.humanSeconds(CLASS_AUDIO, 2_400_000)).toBeGreaterThan(250);
  });

  it('learns nothing from downloads: sessions over in less than five minutes', () => {
    const cohort = new CohortPace();
    for (let s = 0; s < 200; s++) cohort.observeSession(CLASS_IMAGE, 40, 30);
    expect(cohort.medianRate(CLASS_IMAGE)).toBeUndefined();
  });

  it('names a session by most of its parts, audio first', () => {
    expect(sessionClass(12, 3, 0, 0)).toBe(CLASS_TEXT);
    expect(sessionClass(0, 30, 0, 0)).toBe(CLASS_IMAGE);
    expect(sessionClass(0, 1, 1, 0)).toBe(CLASS_AUDIO);
    expect(sessionClass(0, 0, 0, 0)).toBe(CLASS_OTHER);
  });
});

describe('Functions: evidence', () => {
  const e = (family: string, strength: number) => ({ family, strength, signals: [] });

  it('combines families as independent evidence and reports two agreeing families or one conclusive', () => {
    expect(combined([e('a', 0.6), e('b', 0.6)])).toBeCloseTo(0.84, 3);
    expect(corroboration([e('a', 0.6), e('b', 0.3)])).toBe(1);
    expect(reportable([e('a', 0.7), e('b', 0.6)])).toBe(true);
    expect(reportable([e('a', 0.9)])).toBe(false);
    expect(reportable([e('a', 0.95)])).toBe(true);
    // Many weak signals are not corroboration.
    expect(reportable([e('a', 0.3), e('b', 0.3), e('c', 0.3), e('d', 0.3), e('f', 0.9)])).toBe(false);
  });

  it('steps a measure through rising thresholds', () => {
    const steps = [
      [10, 0.3],
      [20, 0.6],
    ] as const;
    expect(stepped(5, steps)).toBe(0);
    expect(stepped(10, steps)).toBe(0.3);
    expect(stepped(99, steps)).toBe(0.6);
  });
});
