import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  listNabDetectors,
  listNabFiles,
  loadNabDetectorOutput,
  loadNabSeries,
  loadNabThresholds,
  loadNabWindows,
  NabDataError,
  nabProbationRows,
  parseNabTimestamp,
} from './nab.ts';

const NAB = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data/nab');

describe('NAB loader', () => {
  it('reads NAB timestamps as UTC', () => {
    expect(parseNabTimestamp('2014-02-14 14:30:00')).toBe(Date.UTC(2014, 1, 14, 14, 30));
    expect(parseNabTimestamp('2014-02-26 13:45:00.000000')).toBe(Date.UTC(2014, 1, 26, 13, 45));
    expect(() => parseNabTimestamp('soon')).toThrow(NabDataError);
  });

  it('applies NAB’s probation: the first 15 % of a file, at most 750 rows', () => {
    expect(nabProbationRows(4032)).toBe(604);
    expect(nabProbationRows(10_000)).toBe(750);
  });

  it('loads the 17 realAWSCloudwatch series, their 30 windows, and the published outputs and thresholds', () => {
    const files = listNabFiles(NAB);
    expect(files).toHaveLength(17);
    const windows = loadNabWindows(NAB);
    expect(files.reduce((sum, file) => sum + (windows.get(file)?.length ?? 0), 0)).toBe(30);
    const series = loadNabSeries(NAB, files[0]!);
    expect(series.values).toHaveLength(series.timestamps.length);
    expect(listNabDetectors(NAB)).toContain('numenta');
    const output = loadNabDetectorOutput(NAB, 'numenta', files[0]!);
    expect(output.timestamps).toEqual(series.timestamps);
    expect(loadNabThresholds(NAB).get('numenta')).toBeCloseTo(0.5422, 3);
  });

  it('reports a missing directory as a NabDataError', () => {
    expect(() => listNabFiles('/nonexistent')).toThrow(NabDataError);
  });
});
