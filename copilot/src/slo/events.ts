import type { Channel, ContentClass, EventSource, PathClass } from './definitions.ts';

/**
 * One served request, whatever observed it. `route` is the API route (`POST /v1/access`) for the access API and
 * the path class (`content`, `catalog`, `other`) for the edge, so one selector shape serves both sources.
 */
export interface SloEvent {
  timestampMs: number;
  source: EventSource;
  route: string;
  contentClass?: ContentClass;
  channel?: Channel;
  /** HTTP status; 0 means the client went away before an answer, which no SLI counts. */
  status: number;
  latencyMs: number;
}

const BY_EXTENSION: Readonly<Record<string, ContentClass>> = {
  epub: 'epub',
  opf: 'epub',
  ncx: 'epub',
  xhtml: 'epub',
  mp3: 'audio',
  m4a: 'audio',
  m4b: 'audio',
  aac: 'audio',
  ogg: 'audio',
  opus: 'audio',
  flac: 'audio',
  wav: 'audio',
  m3u8: 'audio',
  html: 'interactive',
  htm: 'interactive',
  js: 'interactive',
  mjs: 'interactive',
  css: 'interactive',
  json: 'interactive',
  wasm: 'interactive',
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  webp: 'image',
  avif: 'image',
  svg: 'image',
};

const BY_MEDIA_TYPE: ReadonlyArray<readonly [prefix: string, ContentClass]> = [
  ['application/epub', 'epub'],
  ['application/oebps', 'epub'],
  ['application/xhtml', 'epub'],
  ['audio/', 'audio'],
  ['application/vnd.apple.mpegurl', 'audio'],
  ['image/', 'image'],
  ['text/html', 'interactive'],
  ['text/javascript', 'interactive'],
  ['application/javascript', 'interactive'],
  ['text/css', 'interactive'],
  ['application/json', 'interactive'],
  ['application/wasm', 'interactive'],
];

/**
 * The extension decides first because origins often answer `application/octet-stream`; the content type is the
 * fallback for extensionless paths.
 */
export function contentClassOf(path: string, contentType?: string): ContentClass | undefined {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot > slash) {
    const found = BY_EXTENSION[path.slice(dot + 1).toLowerCase()];
    if (found) return found;
  }
  if (!contentType || contentType === '-') return undefined;
  const mediaType = contentType.toLowerCase();
  for (const [prefix, contentClass] of BY_MEDIA_TYPE) if (mediaType.startsWith(prefix)) return contentClass;
  return undefined;
}

const OTHER_PATH_CLASS = 'other';

/** First matching prefix wins, so list specific prefixes before general ones in slos.json. */
export function pathClassOf(path: string, pathClasses: readonly PathClass[]): string {
  for (const pathClass of pathClasses) if (path.startsWith(pathClass.prefix)) return pathClass.name;
  return OTHER_PATH_CLASS;
}
