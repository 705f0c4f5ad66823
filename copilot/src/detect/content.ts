/**
 * What a person does with an asset, told from its file extension (or, without one, the logged content
 * type): reads text, looks at an image, listens, watches. Human pace is judged per class, because a page of
 * a comic and a chapter of a novel take a reader very different times. Read from the path's bytes in place.
 */
export const CLASS_OTHER = 0;
export const CLASS_TEXT = 1;
export const CLASS_IMAGE = 2;
export const CLASS_AUDIO = 3;
export const CLASS_VIDEO = 4;
export const CLASSES = 5;

export type ContentClass = 0 | 1 | 2 | 3 | 4;

/** Lower-case extensions by class; anything else (manifests, scripts, data) is `other`. */
const EXTENSIONS: Record<string, ContentClass> = {
  html: CLASS_TEXT,
  htm: CLASS_TEXT,
  xhtml: CLASS_TEXT,
  txt: CLASS_TEXT,
  md: CLASS_TEXT,
  epub: CLASS_TEXT,
  pdf: CLASS_TEXT,
  fb2: CLASS_TEXT,
  jpg: CLASS_IMAGE,
  jpeg: CLASS_IMAGE,
  png: CLASS_IMAGE,
  webp: CLASS_IMAGE,
  gif: CLASS_IMAGE,
  avif: CLASS_IMAGE,
  heic: CLASS_IMAGE,
  jxl: CLASS_IMAGE,
  cbz: CLASS_IMAGE,
  cbr: CLASS_IMAGE,
  mp3: CLASS_AUDIO,
  m4a: CLASS_AUDIO,
  m4b: CLASS_AUDIO,
  aac: CLASS_AUDIO,
  ogg: CLASS_AUDIO,
  oga: CLASS_AUDIO,
  opus: CLASS_AUDIO,
  flac: CLASS_AUDIO,
  wav: CLASS_AUDIO,
  mp4: CLASS_VIDEO,
  m4v: CLASS_VIDEO,
  webm: CLASS_VIDEO,
  mov: CLASS_VIDEO,
  mkv: CLASS_VIDEO,
  ts: CLASS_VIDEO,
};

/** Extensions keyed by their bytes packed into an integer (at most 5 letters), so a lookup makes no string. */
const BY_CODE = new Map<number, ContentClass>();
for (const [ext, cls] of Object.entries(EXTENSIONS)) BY_CODE.set(extensionCode(ext), cls);

function extensionCode(ext: string): number {
  let code = 0;
  for (let i = 0; i < ext.length; i++) code = code * 32 + (ext.charCodeAt(i) & 31);
  return code;
}

/** `undefined` when the path has no extension of up to five letters after its last slash. */
export function extensionClass(bytes: Uint8Array, start: number, end: number): ContentClass | undefined {
  let code = 0;
  // 32 ** n, kept as a running product: the power operator is a floating-point call per byte.
  let scale = 1;
  for (let i = end - 1, n = 0; i > start && n <= 5; i--, n++, scale *= 32) {
    const c = bytes[i]!;
    if (c === 46 /* . */) return n === 0 ? undefined : (BY_CODE.get(code) ?? CLASS_OTHER);
    if (c === 47 /* / */) return undefined;
    // Letters of either case and digits (mp3, m4a) fold the same way as in extensionCode.
    const folded = c >= 65 && c <= 90 ? c + 32 : c;
    code = (folded & 31) * scale + code;
  }
  return undefined;
}

/** The class a logged content type names (`sc-content-type`), for paths without an extension. */
export function contentTypeClass(contentType: string): ContentClass {
  const type = contentType.toLowerCase();
  if (type.startsWith('audio/')) return CLASS_AUDIO;
  if (type.startsWith('video/')) return CLASS_VIDEO;
  if (type.startsWith('image/')) return CLASS_IMAGE;
  if (type.startsWith('text/html') || type.startsWith('text/plain') || type.includes('xhtml'))
    return CLASS_TEXT;
  if (type.includes('epub') || type.includes('pdf')) return CLASS_TEXT;
  return CLASS_OTHER;
}
