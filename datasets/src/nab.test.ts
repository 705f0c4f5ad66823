import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  listNabCategories,
  listNabDetectors,
  listNabFiles,
  loadNabDetectorOutput,
  loadNabProfile,
  loadNabPublishedScores,
  loadNabSeries,
  loadNabThresholds,
  loadNabWindows,
  NabDataError,
  nabCategoryOf,
  parseNabTimestamp,
} from './nab.ts';

const NAB = resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/data/nab');

describe('NAB loader', () => {
  it('reads NAB timestamps as UTC', () => {
    expect(parseNabTimestamp('2014-02-14 14:30:00')).toBe(Date.UTC(2014, 1, 14, 14, 30));
    expect(parseNabTimestamp('2014-02-26 13:45:00.000000')).toBe(Date.UTC(2014, 1, 26, 13, 45));
    expect(() => parseNabTimestamp('soon')).toThrow(NabDataError);
  });

  it('loads every category with its windows, the published outputs, thresholds, profiles and scores', () => {
    const categories = listNabCategories(NAB);
    expect(categories.length).toBeGreaterThanOrEqual(3);
    const files = listNabFiles(NAB);
    expect(new Set(files.map(nabCategoryOf))).toEqual(new Set(categories));
    expect(listNabFiles(NAB, categories[0]).every((file) => file.startsWith(`${categories[0]}/`))).toBe(true);
    const windows = loadNabWindows(NAB);
    expect(files.every((file) => windows.has(file))).toBe(true);
    const series = loadNabSeries(NAB, files[0]!);
    expect(series.values).toHaveLength(series.timestamps.length);
    expect(listNabDetectors(NAB)).toContain('numenta');
    // Result files carry different columns; the score is found by its header.
    const output = loadNabDetectorOutput(NAB, 'numenta', files[0]!);
    expect(output.timestamps).toEqual(series.timestamps);
    expect(output.scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(loadNabThresholds(NAB).get('numenta')).toBeCloseTo(0.5422, 3);
    expect(loadNabProfile(NAB, 'standard')).toEqual({
      tpWeight: 1,
      fpWeight: 0.11,
      fnWeight: 1,
      tnWeight: 1,
    });
    const published = loadNabPublishedScores(NAB, 'numenta', 'standard');
    expect(published.length).toBe(files.length);
    expect(published.every((row) => files.includes(row.file))).toBe(true);
  });

  it('reports a missing directory as a NabDataError', () => {
    expect(() => listNabFiles('/nonexistent')).toThrow(NabDataError);
  });
});
