import type { Profile } from './profiles.ts';
import type { Rng } from './rng.ts';

/**
 * What a title is. Short forms (comics, audio episodes, short stories) are read whole, several in a sitting:
 * the hard negatives of any rule that counts titles.
 */
export type TitleKind = 'ebook' | 'audiobook' | 'interactive' | 'comic' | 'audio_episode' | 'short_story';

export interface Title {
  readonly id: string;
  readonly kind: TitleKind;
  /** Reading order: what a reader fetches front to back (chapters, tracks, pages or scenes). */
  readonly sequence: readonly string[];
  /** Manifest, cover, figures, clips: the manifest and cover always come first. */
  readonly extras: readonly string[];
  /** Relative popularity (Zipf-like): a few titles draw most reading. */
  readonly popularity: number;
}

export interface Catalog {
  readonly titles: readonly Title[];
  /** The new title released during the run (release-day burst). */
  readonly release: Title;
  readonly publicPages: readonly string[];
  /** Bytes a streamed medium holds per second of playback (audio and video tracks). */
  readonly bytesPerSecondOfPlayback: number;
  /** Bytes of a typical chapter: a reader's time on a text part follows its length relative to this. */
  readonly typicalTextBytes: number;
  sizeOf(path: string): number | undefined;
  /** Size and content type of an existing object; undefined for paths the origin does not have (404). */
  objectAt(path: string): CatalogObject | undefined;
  /** A path in `title` that does not exist (a scraper guessing past the end). */
  missingPart(title: Title, n: number): string;
}

interface CatalogObject {
  readonly size: number;
  readonly contentType: string;
}

/** Path prefix an edge token opens for a title (DESIGN §4.1 scope). */
export function titleScope(titleId: string): string {
  return `/titles/${titleId}/`;
}

/**
 * How a catalog names and sizes things. The validation population uses another house style than development
 * (other ids, file names, extensions and sizes), so nothing a detector learns can hang on one naming scheme.
 */
interface HouseStyle {
  id(rng: Rng, index: number): string;
  manifest: string;
  cover: string;
  chapter(n: number): string;
  figure(n: number): string;
  track(n: number): string;
  page(n: number): string;
  storyPart(n: number): string;
  scene(n: number): string;
  bundle: string;
  clip(n: number): string;
  /** Median bytes of a chapter, a comic page, a figure; playback bytes per second. */
  chapterBytes: number;
  pageBytes: number;
  figureBytes: number;
  playbackBytesPerSecond: number;
  shares: Record<TitleKind, number>;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const STYLES: Record<Profile, HouseStyle> = {
  development: {
    id: (_rng, i) => `t${pad(i + 1, 5)}`,
    manifest: 'manifest.json',
    cover: 'cover.jpg',
    chapter: (n) => `epub/ch${pad(n, 3)}.xhtml`,
    figure: (n) => `images/fig${pad(n, 3)}.jpg`,
    track: (n) => `audio/track${pad(n, 3)}.m4a`,
    page: (n) => `pages/p${pad(n, 3)}.jpg`,
    storyPart: (n) => `text/part${pad(n, 2)}.xhtml`,
    scene: (n) => `interactive/scene${pad(n, 3)}.json`,
    bundle: 'interactive/bundle.js',
    clip: (n) => `media/clip${pad(n, 3)}.mp4`,
    chapterBytes: 45_000,
    pageBytes: 260_000,
    figureBytes: 160_000,
    playbackBytesPerSecond: 8_000,
    shares: {
      ebook: 0.5,
      audiobook: 0.12,
      interactive: 0.08,
      comic: 0.12,
      audio_episode: 0.1,
      short_story: 0.08,
    },
  },
  validation: {
    // Opaque slugs: no number to step through from one title to the next.
    id: (rng) => `${rng.pick(['bk', 'ed', 'wk'])}-${rng.hex(8)}`,
    manifest: 'index.json',
    cover: 'art/front.webp',
    chapter: (n) => `c/${pad(n, 4)}.html`,
    figure: (n) => `art/plate-${n}.png`,
    track: (n) => `listen/part-${pad(n, 2)}.mp3`,
    page: (n) => `p/${pad(n, 4)}.webp`,
    storyPart: (n) => `read/${n}.html`,
    scene: (n) => `play/s${n}.json`,
    bundle: 'play/app.js',
    clip: (n) => `play/v${n}.mp4`,
    chapterBytes: 24_000,
    pageBytes: 420_000,
    figureBytes: 300_000,
    playbackBytesPerSecond: 16_000,
    shares: {
      ebook: 0.38,
      audiobook: 0.1,
      interactive: 0.06,
      comic: 0.18,
      audio_episode: 0.16,
      short_story: 0.12,
    },
  },
};

const TITLE_KINDS: readonly TitleKind[] = [
  'ebook',
  'audiobook',
  'interactive',
  'comic',
  'audio_episode',
  'short_story',
];

export function buildCatalog(rng: Rng, titleCount: number, profile: Profile = 'development'): Catalog {
  const style = STYLES[profile];
  const sizes = new Map<string, number>();
  const titles: Title[] = [];
  const ids = new Set<string>();
  for (let i = 0; i <= titleCount; i++) {
    let id = style.id(rng, i);
    while (ids.has(id)) id = style.id(rng, i);
    ids.add(id);
    const kind = rng.weighted(TITLE_KINDS, (k) => style.shares[k]);
    titles.push(buildTitle(rng, style, id, kind, i, sizes));
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
    bytesPerSecondOfPlayback: style.playbackBytesPerSecond,
    typicalTextBytes: style.chapterBytes,
    sizeOf: (path) => sizes.get(path),
    objectAt: (path) => objects.get(path),
    missingPart: (title, n) => titleScope(title.id) + style.chapter(n),
  };
}

function buildTitle(
  rng: Rng,
  style: HouseStyle,
  id: string,
  kind: TitleKind,
  rank: number,
  sizes: Map<string, number>,
): Title {
  const base = titleScope(id);
  const sequence: string[] = [];
  const extras: string[] = [];
  const add = (list: string[], name: string, size: number) => {
    list.push(base + name);
    sizes.set(base + name, Math.max(200, Math.round(size)));
  };
  const playback = (minutes: number) => minutes * 60 * style.playbackBytesPerSecond;
  add(extras, style.manifest, rng.logNormal(4_000, 0.4));
  add(extras, style.cover, rng.logNormal(180_000, 0.5));
  switch (kind) {
    case 'ebook': {
      for (let c = 1, n = rng.int(12, 61); c <= n; c++)
        add(sequence, style.chapter(c), rng.logNormal(style.chapterBytes, 0.5));
      for (let f = 1, n = rng.int(0, 21); f <= n; f++)
        add(extras, style.figure(f), rng.logNormal(style.figureBytes, 0.7));
      break;
    }
    case 'audiobook': {
      for (let t = 1, n = rng.int(4, 21); t <= n; t++)
        add(sequence, style.track(t), playback(rng.logNormal(45, 0.4)));
      break;
    }
    case 'audio_episode': {
      // One episode, sometimes a two-parter: minutes of listening, not hours.
      for (let t = 1, n = rng.chance(0.2) ? 2 : 1; t <= n; t++)
        add(sequence, style.track(t), playback(rng.logNormal(9, 0.6)));
      break;
    }
    case 'comic': {
      for (let p = 1, n = rng.int(10, 49); p <= n; p++)
        add(sequence, style.page(p), rng.logNormal(style.pageBytes, 0.35));
      break;
    }
    case 'short_story': {
      for (let p = 1, n = rng.int(1, 4); p <= n; p++)
        add(sequence, style.storyPart(p), rng.logNormal(style.chapterBytes * 0.8, 0.5));
      break;
    }
    default: {
      add(extras, style.bundle, rng.logNormal(900_000, 0.4));
      for (let s = 1, n = rng.int(5, 31); s <= n; s++)
        add(sequence, style.scene(s), rng.logNormal(60_000, 0.6));
      for (let c = 1, n = rng.int(0, 6); c <= n; c++)
        add(extras, style.clip(c), playback(rng.logNormal(2, 0.5)) * 40);
    }
  }
  return { id, kind, sequence, extras, popularity: 1 / (rank + 3) ** 0.9 };
}

const CONTENT_TYPES: Record<string, string> = {
  xhtml: 'application/xhtml+xml',
  html: 'text/html',
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  json: 'application/json',
  js: 'application/javascript',
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
  return /\.(m4a|mp3|mp4)$/.test(path);
}
