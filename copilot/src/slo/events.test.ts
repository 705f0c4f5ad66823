import { describe, expect, it } from 'vitest';
import { contentClassOf, pathClassOf } from './events.ts';

describe('Function: contentClassOf', () => {
  it.each([
    ['/content/b1/book.epub', undefined, 'epub'],
    ['/content/b1/OEBPS/ch01.xhtml', undefined, 'epub'],
    ['/content/b1/track-03.M4B', undefined, 'audio'],
    ['/content/b1/app/index.html', undefined, 'interactive'],
    ['/content/b1/cover.webp', 'application/octet-stream', 'image'],
    ['/content/b1/asset', 'audio/mpeg', 'audio'],
    ['/content/b1/asset', 'application/epub+zip', 'epub'],
    ['/content/b1.v2/asset', 'image/png; charset=binary', 'image'],
  ] as const)('classifies %s (%s) as %s', (path, contentType, expected) => {
    expect(contentClassOf(path, contentType)).toBe(expected);
  });

  it('leaves unknown content unclassified', () => {
    expect(contentClassOf('/content/b1/blob.bin', '-')).toBeUndefined();
    expect(contentClassOf('/health')).toBeUndefined();
  });
});

describe('Function: pathClassOf', () => {
  const classes = [
    { name: 'previews', prefix: '/content/previews/' },
    { name: 'content', prefix: '/content/' },
  ];

  it('takes the first matching prefix and falls back to other', () => {
    expect(pathClassOf('/content/previews/a.png', classes)).toBe('previews');
    expect(pathClassOf('/content/b1/a.png', classes)).toBe('content');
    expect(pathClassOf('/favicon.ico', classes)).toBe('other');
  });
});
