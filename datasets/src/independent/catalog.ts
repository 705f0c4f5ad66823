/**
 * A bookstore catalog of several content types, each with its own asset layout, sizes and the time a person
 * spends on one asset (reading a chapter, looking at a page, listening to a part).
 */
import type { Draw } from './draw.ts';

export type ContentType = 'ebook' | 'audiobook' | 'comic' | 'short_story' | 'episode';

interface Asset {
  /** Path under the title's prefix, e.g. `OEBPS/ch012.xhtml`. */
  name: string;
  bytes: number;
  contentType: string;
  /** Seconds a person spends on it at ordinary speed (0: fetched with the title, not consumed alone). */
  dwell: number;
}

export interface Title {
  id: string;
  type: ContentType;
  assets: Asset[];
  /** Popularity rank, 0 = most popular. */
  rank: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function ebook(draw: Draw): Asset[] {
  const chapters = draw.int(8, 70);
  const assets: Asset[] = [
    { name: 'META-INF/container.xml', bytes: 250, contentType: 'application/xml', dwell: 0 },
    {
      name: 'OEBPS/content.opf',
      bytes: draw.int(3_000, 12_000),
      contentType: 'application/oebps-package+xml',
      dwell: 0,
    },
    { name: 'OEBPS/cover.jpg', bytes: draw.int(60_000, 400_000), contentType: 'image/jpeg', dwell: 0 },
    {
      name: 'OEBPS/nav.xhtml',
      bytes: draw.int(2_000, 9_000),
      contentType: 'application/xhtml+xml',
      dwell: 0,
    },
  ];
  const wordsPerChapter = draw.logNormal(3500, 1.6);
  for (let c = 1; c <= chapters; c++) {
    const words = wordsPerChapter * draw.between(0.5, 1.5);
    assets.push({
      name: `OEBPS/ch${pad(c, 3)}.xhtml`,
      bytes: Math.round(words * 6.2),
      contentType: 'application/xhtml+xml',
      dwell: (words / 250) * 60,
    });
  }
  return assets;
}

function audiobook(draw: Draw): Asset[] {
  const parts = draw.int(25, 320);
  const minutes = draw.between(2, 9);
  const assets: Asset[] = [
    { name: 'manifest.json', bytes: draw.int(4_000, 30_000), contentType: 'application/json', dwell: 0 },
    { name: 'cover.jpg', bytes: draw.int(80_000, 500_000), contentType: 'image/jpeg', dwell: 0 },
  ];
  for (let p = 1; p <= parts; p++) {
    const seconds = minutes * 60 * draw.between(0.7, 1.3);
    assets.push({
      name: `audio/part${pad(p, 4)}.m4a`,
      bytes: Math.round(seconds * 8_000),
      contentType: 'audio/mp4',
      dwell: seconds,
    });
  }
  return assets;
}

function comic(draw: Draw): Asset[] {
  const pages = draw.int(18, 180);
  const assets: Asset[] = [
    { name: 'comic.json', bytes: draw.int(1_000, 8_000), contentType: 'application/json', dwell: 0 },
  ];
  for (let p = 1; p <= pages; p++) {
    assets.push({
      name: `pages/${pad(p, 4)}.webp`,
      bytes: draw.int(150_000, 900_000),
      contentType: 'image/webp',
      dwell: draw.between(4, 25),
    });
  }
  return assets;
}

function shortStory(draw: Draw): Asset[] {
  const sections = draw.int(1, 6);
  const assets: Asset[] = [
    { name: 'story.json', bytes: draw.int(800, 3_000), contentType: 'application/json', dwell: 0 },
  ];
  for (let s = 1; s <= sections; s++) {
    const words = draw.between(600, 2500);
    assets.push({
      name: `text/s${s}.html`,
      bytes: Math.round(words * 6),
      contentType: 'text/html',
      dwell: (words / 250) * 60,
    });
  }
  return assets;
}

function episode(draw: Draw): Asset[] {
  const seconds = draw.between(6, 45) * 60;
  return [
    { name: 'episode.json', bytes: draw.int(600, 2_500), contentType: 'application/json', dwell: 0 },
    { name: 'audio.mp3', bytes: Math.round(seconds * 16_000), contentType: 'audio/mpeg', dwell: seconds },
    { name: 'transcript.vtt', bytes: Math.round(seconds * 20), contentType: 'text/vtt', dwell: 0 },
  ];
}

const BUILDERS: Record<ContentType, (draw: Draw) => Asset[]> = {
  ebook,
  audiobook,
  comic,
  short_story: shortStory,
  episode,
};

export interface CatalogOptions {
  titles: number;
  mix: Readonly<Record<ContentType, number>>;
}

export class Catalog {
  readonly titles: Title[] = [];
  private readonly byType = new Map<ContentType, Title[]>();

  constructor(draw: Draw, options: CatalogOptions) {
    // ISBN-like identifiers: a publisher prefix and a sequence, so catalog order is enumerable as in real stores.
    const prefixes = Array.from({ length: 12 }, () => `978${draw.int(1000, 9999)}`);
    const used = new Set<string>();
    for (let i = 0; i < options.titles; i++) {
      let id: string;
      do id = `${draw.pick(prefixes)}${pad(draw.int(0, 99_999), 5)}`;
      while (used.has(id));
      used.add(id);
      const type = draw.weighted(options.mix);
      this.titles.push({ id, type, assets: BUILDERS[type](draw), rank: i });
    }
    for (const t of this.titles) {
      const list = this.byType.get(t.type) ?? [];
      list.push(t);
      this.byType.set(t.type, list);
    }
  }

  /** Whether the store stocks titles of `type`. */
  stocks(type: ContentType): boolean {
    return (this.byType.get(type)?.length ?? 0) > 0;
  }

  /** A title by popularity (Zipf over ranks), optionally of one type (any title when it stocks none of it). */
  popular(draw: Draw, type?: ContentType): Title {
    const list = type ? (this.byType.get(type) ?? this.titles) : this.titles;
    return list[draw.zipf(list.length, 1.05)]!;
  }

  /** Titles sorted by identifier: the order an enumerating client walks. */
  inIdOrder(): Title[] {
    return [...this.titles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
