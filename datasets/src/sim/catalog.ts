import type { Rng } from './rng.ts';

type TitleKind = 'ebook' | 'audiobook' | 'interactive';

export interface Title {
  readonly id: string;
  readonly kind: TitleKind;
  /** Reading order: what a reader fetches front to back (chapters, tracks or scenes). */
  readonly sequence: readonly string[];
  /** Figures, clips and other side assets fetched now and then. */
  readonly extras: readonly string[];
  /** Relative popularity (Zipf-like): a few titles draw most reading. */
  readonly popularity: number;
}

export interface Catalog {
  readonly titles: readonly Title[];
  /** The new title released during the run (release-day burst). */
  readonly release: Title;
  readonly publicPages: readonly string[];
  sizeOf(path: string): number | undefined;
  /** Size and content type of an existing object; undefined for paths the origin does not have (404). */
  objectAt(path: string): CatalogObject | undefined;
}

interface CatalogObject {
  readonly size: number;
  readonly contentType: string;
}

/** Path prefix an edge token opens for a title (DESIGN §4.1 scope). */
export function titleScope(titleId: string): string {
  return `/titles/${titleId}/`;
}

export function buildCatalog(rng: Rng, titleCount: number): Catalog {
  const sizes = new Map<string, number>();
  const titles: Title[] = [];
  for (let i = 0; i <= titleCount; i++) {
    titles.push(buildTitle(rng, `t${String(i + 1).padStart(5, '0')}`, i, sizes));
  }
  const release = titles.pop()!;
  const publicPages = ['/robots.txt', '/sitemap.xml', '/public/index.html', '/public/health'];
  for (let page = 1; page <= Math.ceil(titleCount / 12); page++)
    publicPages.push(`/public/catalog/page-${page}.html`);
  for (const title of [...titles, release]) {
    publicPages.push(`/public/titles/${title.id}.html`, `/public/titles/${title.id}/preview.html`);
  }
  for (const page of publicPages) sizes.set(page, Math.round(rng.logNormal(18_000, 0.6)) + 400);
  sizes.set('/robots.txt', 312);
  sizes.set('/public/health', 48);
  const objects = new Map<string, CatalogObject>();
  for (const [path, size] of sizes) objects.set(path, { size, contentType: contentTypeOf(path) });
  return {
    titles,
    release,
    publicPages,
    sizeOf: (path) => sizes.get(path),
    objectAt: (path) => objects.get(path),
  };
}

function buildTitle(rng: Rng, id: string, rank: number, sizes: Map<string, number>): Title {
  const roll = rng.next();
  const kind: TitleKind = roll < 0.7 ? 'ebook' : roll < 0.85 ? 'audiobook' : 'interactive';
  const base = titleScope(id);
  const sequence: string[] = [];
  const extras: string[] = [];
  const add = (list: string[], name: string, size: number) => {
    list.push(base + name);
    sizes.set(base + name, Math.max(200, Math.round(size)));
  };
  add(extras, 'manifest.json', rng.logNormal(4_000, 0.4));
  add(extras, 'cover.jpg', rng.logNormal(180_000, 0.5));
  if (kind === 'ebook') {
    const chapters = rng.int(12, 61);
    for (let c = 1; c <= chapters; c++) add(sequence, `epub/ch${pad3(c)}.xhtml`, rng.logNormal(45_000, 0.5));
    const figures = rng.int(0, 21);
    for (let f = 1; f <= figures; f++) add(extras, `images/fig${pad3(f)}.jpg`, rng.logNormal(160_000, 0.7));
  } else if (kind === 'audiobook') {
    const tracks = rng.int(4, 21);
    for (let t = 1; t <= tracks; t++)
      add(sequence, `audio/track${pad3(t)}.m4a`, rng.logNormal(22_000_000, 0.4));
  } else {
    add(extras, 'interactive/bundle.js', rng.logNormal(900_000, 0.4));
    const scenes = rng.int(5, 31);
    for (let s = 1; s <= scenes; s++)
      add(sequence, `interactive/scene${pad3(s)}.json`, rng.logNormal(60_000, 0.6));
    const clips = rng.int(0, 6);
    for (let c = 1; c <= clips; c++) add(extras, `media/clip${pad3(c)}.mp4`, rng.logNormal(6_000_000, 0.5));
  }
  return { id, kind, sequence, extras, popularity: 1 / (rank + 3) ** 0.9 };
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

const CONTENT_TYPES: Record<string, string> = {
  xhtml: 'application/xhtml+xml',
  jpg: 'image/jpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  json: 'application/json',
  js: 'application/javascript',
  html: 'text/html',
  txt: 'text/plain',
  xml: 'application/xml',
};

function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return 'application/json';
  return CONTENT_TYPES[path.slice(dot + 1)] ?? 'application/octet-stream';
}

/** Media a player streams with Range requests (206) instead of downloading whole. */
export function isRanged(path: string): boolean {
  return path.endsWith('.m4a') || path.endsWith('.mp4');
}
