import type { Asset, Title, TitleFormat } from '@boundless/delivery';
import { createRandom, fillerBytes, type Random } from './random.ts';

export const COLLECTIONS = [
  'c-science',
  'c-fiction',
  'c-history',
  'c-medicine',
  'c-law',
  'c-children',
  'c-business',
  'c-arts',
] as const;

const FORMATS: ReadonlyArray<[TitleFormat, number]> = [
  ['epub', 0.4],
  ['pdf', 0.25],
  ['audio', 0.15],
  ['interactive', 0.1],
  ['images', 0.1],
];

const WORDS = [
  'Silent',
  'River',
  'Atlas',
  'Quantum',
  'Garden',
  'Empire',
  'Signal',
  'Harbor',
  'Winter',
  'Cell',
];

const MAGIC = {
  epub: Buffer.from('PK\x03\x04mimetypeapplication/epub+zip', 'latin1'),
  pdf: Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
  mp3: Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'),
  png: Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
  jpg: Buffer.from('\xff\xd8\xff\xe0\x00\x10JFIF\x00', 'latin1'),
};

interface GeneratedAsset extends Asset {
  body: Buffer;
}

export interface GeneratedCatalog {
  titles: Title[];
  assets: GeneratedAsset[];
}

/**
 * A sample catalog in the formats Boundless sells, with small generated files whose sizes vary like the real
 * thing does (audio largest, covers smallest). Old titles sit in infrequent-access storage, as lifecycle rules
 * would put them.
 */
export function generateCatalog(seed: number, count: number, now: number): GeneratedCatalog {
  const random = createRandom(seed);
  const titles: Title[] = [];
  const assets: GeneratedAsset[] = [];
  for (let i = 1; i <= count; i += 1) {
    const titleId = `t-${String(i).padStart(4, '0')}`;
    const format = pickFormat(random);
    const first = random.pick(COLLECTIONS);
    const collections = random.chance(0.3) ? [...new Set([first, random.pick(COLLECTIONS)])] : [first];
    const releasedAt = now - random.int(0, 5 * 365) * 86_400;
    titles.push({
      titleId,
      name: `${random.pick(WORDS)} ${random.pick(WORDS)} ${i}`,
      format,
      collections,
      releasedAt,
    });
    const storageClass = now - releasedAt > 2 * 365 * 86_400 ? 'STANDARD_IA' : 'STANDARD';
    for (const [name, contentType, body] of assetFiles(format, random, i)) {
      assets.push({
        titleId,
        name,
        objectKey: `titles/${titleId}/${name}`,
        contentType,
        size: body.length,
        storageClass,
        body,
      });
    }
  }
  return { titles, assets };
}

function pickFormat(random: Random): TitleFormat {
  let roll = random.next();
  for (const [format, weight] of FORMATS) {
    roll -= weight;
    if (roll < 0) return format;
  }
  return 'epub';
}

type File = [name: string, contentType: string, body: Buffer];

function assetFiles(format: TitleFormat, random: Random, n: number): File[] {
  const kb = (min: number, max: number) => random.int(min, max) * 1024;
  const cover: File = ['cover.jpg', 'image/jpeg', fillerBytes(n * 7 + 1, kb(4, 24), MAGIC.jpg)];
  switch (format) {
    case 'epub':
      return [['book.epub', 'application/epub+zip', fillerBytes(n * 7 + 2, kb(16, 96), MAGIC.epub)], cover];
    case 'pdf':
      return [['book.pdf', 'application/pdf', fillerBytes(n * 7 + 3, kb(32, 160), MAGIC.pdf)], cover];
    case 'audio': {
      const chapters = random.int(2, 4);
      const files: File[] = Array.from({ length: chapters }, (_, c) => [
        `chapter-${String(c + 1).padStart(2, '0')}.mp3`,
        'audio/mpeg',
        fillerBytes(n * 7 + 10 + c, kb(48, 192), MAGIC.mp3),
      ]);
      return [...files, cover];
    }
    case 'interactive':
      return interactiveBundle(n, random);
    case 'images': {
      const pages = random.int(3, 6);
      return Array.from({ length: pages }, (_, p) => [
        `page-${String(p + 1).padStart(3, '0')}.png`,
        'image/png',
        fillerBytes(n * 7 + 20 + p, kb(8, 48), MAGIC.png),
      ]);
    }
  }
}

function interactiveBundle(n: number, random: Random): File[] {
  const steps = Array.from({ length: random.int(5, 40) }, (_, i) => ({
    step: i + 1,
    prompt: `Exercise ${i + 1}`,
  }));
  const text = (s: string) => Buffer.from(s, 'utf8');
  return [
    [
      'bundle/index.html',
      'text/html; charset=utf-8',
      text(
        `<!doctype html><html><head><meta charset="utf-8"><title>Interactive ${n}</title>` +
          `<link rel="stylesheet" href="style.css"></head><body><main id="app"></main><script src="app.js"></script></body></html>\n`,
      ),
    ],
    [
      'bundle/app.js',
      'text/javascript; charset=utf-8',
      text(
        `fetch('data.json').then((r) => r.json()).then((d) => {\n  document.getElementById('app').textContent = d.steps.length + ' exercises';\n});\n`,
      ),
    ],
    ['bundle/style.css', 'text/css; charset=utf-8', text('body { font-family: serif; margin: 2rem; }\n')],
    ['bundle/data.json', 'application/json', text(`${JSON.stringify({ title: n, steps })}\n`)],
  ];
}
