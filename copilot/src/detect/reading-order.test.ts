import { describe, expect, it } from 'vitest';
import { readingOrder } from './run.ts';

const hourly = (hour: number, id: string) =>
  `logs/E2ABC.2026-09-17-${String(hour).padStart(2, '0')}.${id}.gz`;

describe('the order log files are read in', () => {
  it('reads hourly files one after another, and merges the files of an hour that has several', () => {
    const files = [hourly(3, 'c'), hourly(0, 'a'), hourly(1, 'b'), hourly(2, 'edge1'), hourly(2, 'edge2')];
    expect(readingOrder(files)).toEqual([
      { files: [hourly(0, 'a'), hourly(1, 'b')], merge: false },
      { files: [hourly(2, 'edge1'), hourly(2, 'edge2')], merge: true },
      { files: [hourly(3, 'c')], merge: false },
    ]);
  });

  it('merges every file when a name carries no hour, and reads one file alone', () => {
    expect(readingOrder([hourly(0, 'a'), 'logs/today.log'])).toEqual([
      { files: [hourly(0, 'a'), 'logs/today.log'], merge: true },
    ]);
    expect(readingOrder(['logs/today.log'])).toEqual([{ files: ['logs/today.log'], merge: false }]);
    expect(readingOrder([])).toEqual([]);
  });
});
