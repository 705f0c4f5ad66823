import { describe, expect, it } from 'vitest';
import { DatasetError } from '../errors.ts';
import type { AddressBook } from './addresses.ts';
import type { Catalog } from './catalog.ts';
import { Draw } from './draw.ts';
import { type Request, World } from './world.ts';

const request = (t: number): Request => ({
  t,
  ip: '192.0.2.1',
  path: '/titles/1/a.xhtml',
  query: '-',
  status: 200,
  bytes: 1_000,
  ua: 'reader',
  contentType: 'application/xhtml+xml',
  hit: true,
});

/** Records `looks` times the lines between two looks at the heap. */
const recordLooks = (world: World, looks: number) => {
  for (let i = 0; i < looks * 16_384; i++) world.record(request(i % 3_600_000));
};

describe('the world holding every request until its hour is written', () => {
  it('stops with a clear error once the heap stays short of its reserve, not on one look short of it', () => {
    let share = 0.9;
    const heap = () => ({ total_available_size: (1 - share) * 1e9, heap_size_limit: 1e9 });
    const world = new World(new Draw(1), {} as AddressBook, {} as Catalog, 0, 3_600_000, heap);
    // One look short of the reserve, then one with room (a collection ran), and so on: no error.
    for (let n = 0; n < 3; n++) {
      share = 0.9;
      recordLooks(world, 1);
      share = 0.5;
      recordLooks(world, 1);
    }
    share = 0.9;
    recordLooks(world, 1);
    expect(world.lines).toBe(7 * 16_384);
    // The second look in a row short of it stops the run, naming what was held and how to go on.
    expect(() => recordLooks(world, 1)).toThrow(DatasetError);
    expect(() => recordLooks(world, 2)).toThrow(
      /does not fit in memory: [\d,]+ log lines held, 95 MB of the heap's 954 MB left; ask for fewer --readers or --hours/,
    );
  });

  it('leaves a heap with its reserve free alone', () => {
    const heap = () => ({ total_available_size: 0.2e9, heap_size_limit: 1e9 });
    const world = new World(new Draw(1), {} as AddressBook, {} as Catalog, 0, 3_600_000, heap);
    recordLooks(world, 8);
    expect(world.lines).toBe(8 * 16_384);
  });
});
