import { describe, expect, it } from 'vitest';
import { MAX_BYTE_MERGE, readingOrder } from './run.ts';

const hourly = (hour: number, id: string) =>
  `logs/E2ABC.2026-09-17-${String(hour).padStart(2, '0')}.${id}.gz`;

describe('the order log files are read in', () => {
  it('reads hourly files one after another, and merges the files of an hour that has several', () => {
    const files = [hourly(3, 'c'), hourly(0, 'a'), hourly(1, 'b'), hourly(2, 'edge1'), hourly(2, 'edge2')];
    expect(readingOrder(files)).toEqual([
      { files: [hourly(0, 'a'), hourly(1, 'b')], read: 'in-turn' },
      { files: [hourly(2, 'edge1'), hourly(2, 'edge2')], read: 'bytes' },
      { files: [hourly(3, 'c')], read: 'in-turn' },
    ]);
  });

  it('merges an hour of very many files, and every file when a name carries no hour, through records', () => {
    const many = Array.from({ length: MAX_BYTE_MERGE + 1 }, (_, i) => hourly(5, `edge${i}`));
    expect(readingOrder(many)).toEqual([{ files: many, read: 'records' }]);
    expect(readingOrder([hourly(0, 'a'), 'logs/today.log'])).toEqual([
      { files: [hourly(0, 'a'), 'logs/today.log'], read: 'records' },
    ]);
    expect(readingOrder(['logs/today.log'])).toEqual([{ files: ['logs/today.log'], read: 'in-turn' }]);
    expect(readingOrder([])).toEqual([]);
  });
});
