import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { assetStep, DistinctCounter, hashPath } from './asset-path.ts';
import {
  agentClassOf,
  AGENT_CRAWLER,
  AGENT_PERSON,
  AGENT_TOOL,
  isPublicPath,
  isVerifiedCrawler,
} from './automation.ts';
import { BROWSER, chapter, PATHS, readingSession, request, runDetectors, T0 } from './test-support.ts';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

function walkPages(ip: string, agent: string, periodMs: (i: number) => number, count = 200): EdgeLogRecord[] {
  const records: EdgeLogRecord[] = [];
  let t = T0;
  for (let i = 0; i < count; i++) {
    records.push(request(t, ip, `/public/titles/t${String(i).padStart(5, '0')}.html`, { agent }));
    t += periodMs(i);
  }
  return records;
}

describe.each(PATHS)('Detector: scraping per address (no token), through %s', (path) => {
  it('rate-limits a harvesting tool on a cloud server walking every public title page', () => {
    const detections = runDetectors(
      walkPages('10.8.2.2', 'python-requests/2.32.3', (i) => 700 + ((i * 389) % 900)),
      path,
    );
    expect(detections).toHaveLength(1);
    expect(detections[0]).toMatchObject({
      kind: 'scraping',
      subject: { ip: '10.8.2.2' },
      mitigation: 'rate_limit',
    });
    expect(detections[0]!.evidence.reasons).toEqual(expect.arrayContaining(['automation', 'coverage']));
  });

  it('flags a forged crawler agent from a cloud network, and lets a verified crawler be', () => {
    const forged = runDetectors(
      walkPages('10.8.2.3', GOOGLEBOT, () => 2_000),
      path,
    );
    expect(forged.map((d) => d.subject)).toEqual([{ ip: '10.8.2.3' }]);
    expect(
      runDetectors(
        walkPages('10.7.3.3', GOOGLEBOT, () => 2_000),
        path,
      ),
    ).toEqual([]);
  });

  it('flags cache-busting query strings that force every request to the origin', () => {
    const records = Array.from({ length: 120 }, (_, i) =>
      request(T0 + i * 1_300 + ((i * 7_919) % 900), '10.8.4.4', `/public/titles/t${i}.html`, {
        query: `cb=${(i * 2_654_435_761).toString(36)}`,
        result: 'Miss',
        agent: BROWSER,
      }),
    );
    const [detection] = runDetectors(records, path);
    expect(detection?.subject).toEqual({ ip: '10.8.4.4' });
    expect(detection?.evidence.families).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          family: 'automation',
          signals: expect.arrayContaining([expect.stringMatching(/cache-busting/)]),
        }),
      ]),
    );
  });

  it('stays quiet for a mobile carrier address shared by many readers, and for the crowd of a viral link behind it', () => {
    const readers = Array.from({ length: 150 }, (_, i) =>
      readingSession(T0 + i * 9_000 + ((i * 7_919) % 7_000), '10.2.0.1', {
        tokenId: `tokMobile${String(i).padStart(3, '0')}`,
        accountId: `mobile${i}`,
        title: `t${String(i % 30).padStart(5, '0')}`,
      }),
    ).flat();
    const visitors = Array.from({ length: 400 }, (_, i) =>
      request(
        T0 + i * 2_500,
        '10.2.0.1',
        i % 9 === 0 ? `/public/titles/t${i}.html` : '/public/titles/t00042.html',
        {
          agent: BROWSER,
        },
      ),
    );
    expect(runDetectors([...readers, ...visitors], path)).toEqual([]);
  });
});

describe('Function: agentClassOf', () => {
  it('tells people, tools and crawlers apart by their user agents', () => {
    expect(agentClassOf('BoundlessReader/4.12.0 (iPhone; iOS 18.1; Scale/3.00)')).toBe(AGENT_PERSON);
    expect(agentClassOf(BROWSER)).toBe(AGENT_PERSON);
    expect(agentClassOf('curl/8.5.0')).toBe(AGENT_TOOL);
    expect(agentClassOf('Scrapy/2.11.2 (+https://scrapy.org)')).toBe(AGENT_TOOL);
    expect(agentClassOf('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/130.0')).toBe(
      AGENT_TOOL,
    );
    expect(agentClassOf(GOOGLEBOT)).toBe(AGENT_CRAWLER);
  });

  it('knows the public paths of the viewer-request function', () => {
    expect(isPublicPath('/public/titles/t1.html')).toBe(true);
    expect(isPublicPath('/robots.txt')).toBe(true);
    expect(isPublicPath('/titles/t1/cover.jpg')).toBe(false);
  });
});

describe('Function: isVerifiedCrawler', () => {
  const base = { tokenSerial: 0, asn: 15169 };
  it('needs the agent, the engine network and no token together', () => {
    expect(isVerifiedCrawler({ ...base, record: request(T0, '10.7.0.1', '/', { agent: GOOGLEBOT }) })).toBe(
      true,
    );
    expect(
      isVerifiedCrawler({ ...base, asn: 16509, record: request(T0, '10.8.0.1', '/', { agent: GOOGLEBOT }) }),
    ).toBe(false);
    expect(
      isVerifiedCrawler({
        ...base,
        tokenSerial: 3,
        record: request(T0, '10.7.0.1', '/', { agent: GOOGLEBOT }),
      }),
    ).toBe(false);
    expect(isVerifiedCrawler({ ...base, record: request(T0, '10.7.0.1', '/', { agent: BROWSER }) })).toBe(
      false,
    );
  });

  it("takes Google's crawler from each of Google's networks, not from any other big network", () => {
    const googlebot = (asn: number) =>
      isVerifiedCrawler({ ...base, asn, record: request(T0, '10.7.0.1', '/', { agent: GOOGLEBOT }) });
    expect([15169, 19527, 396982].map(googlebot)).toEqual([true, true, true]);
    expect([8075, 16509, 13335].map(googlebot)).toEqual([false, false, false]);
  });
});

describe('Function: assetStep', () => {
  it('tells the next chapter and the next title from other moves', () => {
    expect(assetStep('/titles/t1/epub/ch009.xhtml', '/titles/t1/epub/ch010.xhtml')).toBe('next');
    expect(assetStep('/titles/t00041/epub/ch060.xhtml', '/titles/t00042/manifest.json')).toBe(
      'next_container',
    );
    expect(assetStep('/titles/t00041/', '/titles/t00042/')).toBe('next');
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
