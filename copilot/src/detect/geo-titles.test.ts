import { describe, expect, it } from 'vitest';
import { TitleReaders, WindowTitles } from './geo-titles.ts';

describe('TitleReaders: readers of a title a minute across countries', () => {
  it('counts by minute, averages the minutes before, and forgets a minute once the ring comes round', () => {
    const readers = new TitleReaders();
    for (let m = 100; m < 160; m++) readers.add(7, m);
    for (let i = 0; i < 30; i++) readers.add(7, 160);
    readers.add(-9, 160);
    expect(readers.count(7, 160)).toBe(30);
    expect(readers.count(-9, 160)).toBe(1);
    expect(readers.count(7, 159)).toBe(1);
    expect(readers.meanBefore(7, 160, 60)).toBe(1);
    expect(readers.meanBefore(7, 130, 60)).toBe(0.5);
    // A minute not yet reached, and one gone round the ring, hold nothing.
    expect(readers.count(7, 161)).toBe(0);
    readers.roll(230);
    expect(readers.count(7, 160)).toBe(0);
    expect(readers.count(7, 230)).toBe(0);
    readers.add(7, 231);
    expect(readers.count(7, 231)).toBe(1);
    expect(readers.count(7, 167)).toBe(0);
  });
});

describe("WindowTitles: a country's titles over the two judged minutes", () => {
  it('names the title most readers opened over both minutes, and drops a minute once two have passed', () => {
    const titles = new WindowTitles();
    expect(titles.top()).toEqual({ title: 0, readers: 0 });
    for (let i = 0; i < 5; i++) titles.add(42);
    titles.add(3);
    titles.roll(1);
    for (let i = 0; i < 4; i++) titles.add(42);
    for (let i = 0; i < 6; i++) titles.add(3);
    expect(titles.top()).toEqual({ title: 42, readers: 9 });
    titles.roll(1);
    expect(titles.top()).toEqual({ title: 3, readers: 6 });
    titles.roll(2);
    expect(titles.top()).toEqual({ title: 0, readers: 0 });
  });

  it('keeps a dominant title among many others read once each', () => {
    const titles = new WindowTitles();
    for (let i = 0; i < 40; i++) {
      titles.add(1000 + i);
      if (i % 2 === 0) titles.add(42);
    }
    const top = titles.top();
    expect(top.title).toBe(42);
    expect(top.readers).toBeGreaterThan(0);
  });
});
