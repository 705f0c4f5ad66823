import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { assetStep, DistinctCounter, hashPath } from './asset-path.ts';
import { isVerifiedCrawler } from './crawlers.ts';
import { chapter, readingSession, request, runDetectors, T0 } from './test-support.ts';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

function robotic(ip: string, agent: string, paths: (i: number) => string, periodMs = 2_000): EdgeLogRecord[] {
  return Array.from({ length: 60 }, (_, i) => request(T0 + i * periodMs, ip, paths(i), { agent }));
}

describe('Detector: scraping', () => {
  it('flags an account walking many titles on one device within minutes', () => {
    const records = Array.from({ length: 8 }, (_, t) =>
      Array.from({ length: 10 }, (_, c) =>
        request(T0 + (t * 10 + c) * 3_000, '10.8.1.1', chapter(`t0010${t}`, c + 1), {
          token: { tokenId: `tokScrape0${t}`, accountId: 'scraper', device: 'd9', title: `t0010${t}` },
        }),
      ),
    ).flat();
    const detections = runDetectors(records).filter((d) => d.subject.accountId === 'scraper');
    expect(detections.length).toBeGreaterThan(0);
    expect(detections[0]!.kind).toBe('scraping');
    expect(detections[0]!.subject).toEqual({ accountId: 'scraper', ip: '10.8.1.1' });
    expect(detections[0]!.evidence.reasons).toContain('title_hopping');
  });

  it('flags an address fetching at a fixed period, and a forged crawler agent from a cloud network', () => {
    const detections = runDetectors(robotic('10.8.2.2', GOOGLEBOT, (i) => `/public/titles/t${i}.html`));
    expect(detections.map((d) => [d.kind, d.subject.ip, d.evidence.reasons])).toEqual([
      ['scraping', '10.8.2.2', ['robotic_regularity']],
    ]);
  });

  it('stays quiet for a verified search-engine crawler on public pages', () => {
    expect(runDetectors(robotic('10.7.3.3', GOOGLEBOT, (i) => `/public/titles/t${i}.html`))).toEqual([]);
  });

  it('flags cache-busting query strings that force every request to the origin', () => {
    const records = Array.from({ length: 30 }, (_, i) =>
      request(T0 + i * 1_300 + ((i * 7_919) % 900), '10.8.4.4', `/public/titles/t${i % 3}.html`, {
        query: `cb=${(i * 2_654_435_761).toString(36)}`,
        result: 'Miss',
      }),
    );
    const [detection] = runDetectors(records);
    expect(detection?.evidence.reasons).toEqual(['cache_busting']);
  });

  it('stays quiet for an offline download: a whole title fetched fast by its reader', () => {
    const token = { tokenId: 'tokOffline1', accountId: 'reader', title: 't00042' };
    const records = Array.from({ length: 61 }, (_, i) =>
      request(T0 + i * 600, '10.1.2.3', chapter('t00042', i + 1), { token }),
    );
    expect(runDetectors(records)).toEqual([]);
  });

  it('stays quiet for a mobile carrier address shared by many readers', () => {
    const records = Array.from({ length: 150 }, (_, i) =>
      readingSession(T0 + i * 9_000 + ((i * 7_919) % 7_000), '10.2.0.1', {
        tokenId: `tokMobile${String(i).padStart(3, '0')}`,
        accountId: `mobile${i}`,
        title: `t${String(i % 30).padStart(5, '0')}`,
      }),
    ).flat();
    expect(runDetectors(records)).toEqual([]);
  });
});

describe('Function: assetStep', () => {
  it('tells the next chapter and the next title from other moves', () => {
    expect(assetStep('/titles/t1/epub/ch009.xhtml', '/titles/t1/epub/ch010.xhtml')).toBe('next');
    expect(assetStep('/titles/t00041/epub/ch060.xhtml', '/titles/t00042/manifest.json')).toBe(
      'next_container',
    );
    expect(assetStep('/titles/t1/epub/ch009.xhtml', '/titles/t1/epub/ch011.xhtml')).toBe('none');
    expect(assetStep('/titles/t1/manifest.json', '/titles/t1/cover.jpg')).toBe('none');
    expect(assetStep('/a', '/a')).toBe('none');
  });
});

describe('Class: DistinctCounter', () => {
  it('estimates distinct counts within a few percent up to hundreds', () => {
    const counter = new DistinctCounter();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) counter.add(hashPath(chapter(`t${i % 7}`, i)));
    }
    expect(Math.abs(counter.estimate() - 300)).toBeLessThan(30);
  });
});

describe('Function: isVerifiedCrawler', () => {
  const base = { tokenSerial: 0, uriStem: '/public/index.html', asn: 15169 };
  it('needs the agent, the engine network and a public page together', () => {
    expect(isVerifiedCrawler({ ...base, record: request(T0, '10.7.0.1', '/', { agent: GOOGLEBOT }) })).toBe(
      true,
    );
    expect(
      isVerifiedCrawler({ ...base, asn: 16509, record: request(T0, '10.8.0.1', '/', { agent: GOOGLEBOT }) }),
    ).toBe(false);
    expect(
      isVerifiedCrawler({
        ...base,
        uriStem: '/titles/t1/manifest.json',
        record: request(T0, '10.7.0.1', '/', { agent: GOOGLEBOT }),
      }),
    ).toBe(false);
    expect(
      isVerifiedCrawler({
        ...base,
        tokenSerial: 7,
        record: request(T0, '10.7.0.1', '/', { agent: GOOGLEBOT }),
      }),
    ).toBe(false);
  });
});

describe('Detector: scraping, the token behind an address', () => {
  const CRAWLER_NET = '10.7.9.9';
  /** A token enumerating chapters at `ip`, pausing 40 minutes after the fifth while a verified crawler keeps
   * the address active; `returning` is the token that comes back. */
  function pausedWalk(returning: string): EdgeLogRecord[] {
    const token = (tokenId: string) => ({ tokenId, accountId: 'acc-walker', title: 't00077' });
    const before = Array.from({ length: 5 }, (_, i) =>
      request(T0 + i * 1_000, CRAWLER_NET, chapter('t00077', i + 1), { token: token('tokWalker01') }),
    );
    const crawler = Array.from({ length: 4 }, (_, i) =>
      request(T0 + (i + 1) * 10 * 60_000, CRAWLER_NET, `/public/titles/t${i}.html`, { agent: GOOGLEBOT }),
    );
    const back = T0 + 41 * 60_000;
    const after = Array.from({ length: 100 }, (_, i) =>
      request(back + i * 1_000, CRAWLER_NET, chapter('t00077', i + 6), { token: token(returning) }),
    );
    return [...before, ...crawler, ...after];
  }

  it('names the token when only it walked from the address, also across a new episode of it', () => {
    // The token is idle for longer than a subject lives: it comes back as a new episode of the same id.
    const scraping = runDetectors(pausedWalk('tokWalker01')).filter(
      (d) => d.evidence.sequentialRun !== undefined,
    );
    expect(scraping.map((d) => d.subject)).toEqual([
      { ip: CRAWLER_NET, tokenId: 'tokWalker01', accountId: 'acc-walker' },
    ]);
  });

  it('names only the address when a second token walked from it', () => {
    const scraping = runDetectors(pausedWalk('tokWalker02')).filter(
      (d) => d.evidence.sequentialRun !== undefined,
    );
    expect(scraping.map((d) => d.subject)).toEqual([{ ip: CRAWLER_NET }]);
  });
});
