/**
 * An independently modelled reader population for checking abuse detection on traffic it was not tuned on:
 * hourly CloudFront standard log files (.gz), `labels.jsonl` (DESIGN §4.3), and `population.json` saying which
 * archetype each account and each label came from. The same seed gives byte-identical output.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cloudFrontLogHeader, cloudFrontLogTimestamp, formatCloudFrontLogLine } from '@boundless/delivery';
import { DatasetError } from '../errors.ts';
import { intoEmptyDir } from '../out-dir.ts';

export { DatasetError };
import { ABUSE_KINDS, abuse, type Label } from './abuse.ts';
import { AddressBook } from './addresses.ts';
import { Catalog, type ContentType } from './catalog.ts';
import { Draw } from './draw.ts';
import { classroom, crawler, kiosk, orgAdmin, releaseBurst, shelfSync, speechReader } from './hard.ts';
import { buildShared, LEGIT_MIX, legitReader } from './legit.ts';
import { COUNTRIES } from './people.ts';
import { type Delivery, deliver, type LogLine } from './delivery.ts';
import { DualStack } from './dual-stack.ts';
import { type Request, World } from './world.ts';

export interface IndependentOptions {
  outDir: string;
  seed: number;
  hours: number;
  readers: number;
  start: Date;
  /** `hard_negative`: legitimate archetypes only, no abuse and no labels. */
  mix: 'full' | 'hard_negative';
  /** The catalog's content types by weight (a store of comics, of podcasts); CATALOG_MIX when absent. */
  catalog?: Readonly<Partial<Record<ContentType, number>>>;
  /** The share (0–1) of operators' networks that are dual-stack, reached over IPv6 too (dual-stack.ts); none when absent. */
  ipv6?: number;
  /** How the hour's lines reach the log bucket (delivery.ts): in time order, one file an hour, when absent. */
  delivery?: Partial<Delivery>;
  onProgress?: (message: string) => void;
}

export interface IndependentResult {
  lines: number;
  files: number;
  labels: number;
  legitimateAccounts: number;
}

/** A general bookstore's shelves: mostly e-books, the rest spread over listening, comics and short forms. */
const CATALOG_MIX: Readonly<Record<ContentType, number>> = {
  ebook: 45,
  audiobook: 15,
  comic: 15,
  short_story: 15,
  episode: 10,
};

/** A given catalog mix, types it leaves out at weight 0; a clear error for weights no store can have. */
function catalogMix(given: IndependentOptions['catalog']): Readonly<Record<ContentType, number>> {
  if (!given) return CATALOG_MIX;
  const unknown = Object.keys(given).find((type) => !(type in CATALOG_MIX));
  if (unknown) throw new DatasetError(`unknown content type "${unknown}" in the catalog mix`);
  const mix = { ...CATALOG_MIX };
  for (const type of Object.keys(mix) as ContentType[]) mix[type] = given[type] ?? 0;
  const weights = Object.values(mix);
  if (weights.some((w) => !(w >= 0 && Number.isFinite(w))) || !weights.some((w) => w > 0))
    throw new DatasetError('catalog weights must be finite and non-negative, at least one of them positive');
  return mix;
}

const DISTRIBUTION = 'E2INDEP0RDR7Q';
const HOST = 'd3k9indep0demo.cloudfront.net';
const POPS: Record<string, string> = {
  US: 'IAD89-C1',
  GB: 'LHR61-P1',
  DE: 'FRA56-P5',
  FR: 'CDG52-C1',
  CA: 'YTO50-C1',
  IN: 'BOM78-P2',
  BR: 'GRU1-C1',
  ES: 'MAD56-C1',
  IT: 'MXP64-C1',
  NL: 'AMS1-C1',
  AU: 'SYD1-C1',
  JP: 'NRT57-C2',
  MX: 'QRO51-C1',
  PL: 'WAW51-C1',
  SE: 'ARN54-C1',
  IE: 'DUB56-P1',
  NG: 'LOS50-C1',
  KE: 'NBO50-C1',
  ZA: 'JNB50-C1',
  PH: 'MNL50-C1',
  ID: 'CGK52-C1',
  SG: 'SIN2-C1',
};

let addressBook: AddressBook | undefined;

export async function simulateIndependent(options: IndependentOptions): Promise<IndependentResult> {
  if (!(options.hours > 0) || !(options.readers > 0))
    throw new DatasetError('hours and readers must be positive');
  const shelves = catalogMix(options.catalog);
  const ipv6 = options.ipv6 ?? 0;
  if (!(ipv6 >= 0 && ipv6 <= 1)) throw new DatasetError(`the IPv6 share must be within 0–1, got ${ipv6}`);
  const delivery: Delivery = { disorderSeconds: 0, edgeFiles: false, ...options.delivery };
  if (!(delivery.disorderSeconds >= 0 && delivery.disorderSeconds <= 3600))
    throw new DatasetError(`the disorder must be within 0–3600 seconds, got ${delivery.disorderSeconds}`);
  return intoEmptyDir(options.outDir, () => writeIndependent(options, shelves, ipv6, delivery));
}

async function writeIndependent(
  options: IndependentOptions,
  shelves: ReturnType<typeof catalogMix>,
  ipv6: number,
  delivery: Delivery,
): Promise<IndependentResult> {
  const draw = new Draw(options.seed);
  const progress = options.onProgress ?? (() => {});
  progress('loading address ranges');
  // Reading the ranges takes seconds and they never change within a process: build them once.
  addressBook ??= new AddressBook(Object.keys(COUNTRIES));
  const addresses = addressBook;
  const catalog = new Catalog(draw, {
    titles: Math.max(200, Math.round(options.readers / 3)),
    mix: shelves,
  });
  const startMs = options.start.getTime();
  const world = new World(draw, addresses, catalog, startMs, startMs + options.hours * 3_600_000);
  const shared = buildShared(world);
  const population: Record<string, string[]> = {};
  const add = (archetype: string, accounts: string[]) => {
    population[archetype] = [...(population[archetype] ?? []), ...accounts];
  };

  progress('simulating legitimate readers');
  for (let r = 0; r < options.readers; r++) {
    const kind = draw.weighted(LEGIT_MIX);
    add(kind, [legitReader(world, shared, kind)]);
  }
  // The hard-negative mix has three times as many of the look-alikes.
  const k = options.mix === 'hard_negative' ? 3 : 1;
  for (let n = k * draw.int(2, 6); n > 0; n--) add('classroom', classroom(world, shared));
  for (let n = k * draw.int(1, 3); n > 0; n--) add('library_kiosk', kiosk(world));
  for (let n = Math.max(1, Math.round(k * options.readers * draw.between(0.003, 0.008))); n > 0; n--)
    add('shelf_sync', shelfSync(world));
  for (let n = Math.max(1, Math.round(k * options.readers * draw.between(0.002, 0.005))); n > 0; n--)
    add('speech_reader', speechReader(world));
  for (let n = k * draw.int(2, 6); n > 0; n--) add('org_admin', orgAdmin(world, shared));
  for (let n = draw.int(1, 2); n > 0; n--) crawler(world);
  const release = draw.between(startMs + 2 * 3_600_000, world.endMs - 4 * 3_600_000);
  add('release_burst', releaseBurst(world, shared, options.readers, release));

  const labels: (Label & { archetype: string })[] = [];
  if (options.mix === 'full') {
    progress('simulating abuse');
    for (const kind of ABUSE_KINDS) {
      const count = kind === 'geo_spike' ? draw.int(1, 2) : draw.int(2, 4);
      for (let n = 0; n < count; n++)
        for (const label of abuse(world, kind)) labels.push({ ...label, archetype: kind });
    }
  }

  progress(`writing ${world.lines.toLocaleString('en-US')} log lines`);
  let files = 0;
  const countries = new Map<string, string>();
  const stack = ipv6 > 0 ? new DualStack(ipv6, options.seed, (asn) => addresses.networkKind(asn)) : undefined;
  for (const { hour, requests } of world.hours()) {
    const stamp = new Date(startMs + hour * 3_600_000).toISOString().slice(0, 13).replace('T', '-');
    const lines = requests.map((r) => line(draw, r, countries, addresses, stack));
    const id = draw.id(8);
    for (const file of deliver(lines, delivery, options.seed)) {
      const name = `${DISTRIBUTION}.${stamp}.${id}${file.edge ? `-${file.edge.toLowerCase()}` : ''}.gz`;
      await writeFile(join(options.outDir, name), gzipSync([cloudFrontLogHeader(), ...file.lines].join('')));
      files++;
    }
  }
  const labelLines = labels.map(({ kind, subject, start, end }) =>
    JSON.stringify({ kind, subject, start, end }),
  );
  await writeFile(
    join(options.outDir, 'labels.jsonl'),
    labelLines.length ? `${labelLines.join('\n')}\n` : '',
  );
  const legitimateAccounts = Object.values(population).reduce((s, a) => s + a.length, 0);
  const described = {
    seed: options.seed,
    hours: options.hours,
    readers: options.readers,
    mix: options.mix,
    catalog: shelves,
    ...(ipv6 > 0 ? { ipv6 } : {}),
    ...(delivery.disorderSeconds > 0 || delivery.edgeFiles ? { delivery } : {}),
    release: new Date(release).toISOString(),
    legitimate: population,
    abuse: labels,
  };
  await writeFile(join(options.outDir, 'population.json'), `${JSON.stringify(described, null, 1)}\n`);
  return { lines: world.lines, files, labels: labels.length, legitimateAccounts };
}

function line(
  draw: Draw,
  r: Request,
  countries: Map<string, string>,
  addresses: AddressBook,
  stack: DualStack | undefined,
): LogLine {
  let country = countries.get(r.ip);
  if (country === undefined) {
    country = addresses.countryOf(r.ip);
    countries.set(r.ip, country);
  }
  const { date, time } = cloudFrontLogTimestamp(r.t);
  const edge = POPS[country] ?? 'IAD89-C1';
  const seconds = r.hit ? draw.between(0.001, 0.03) : draw.between(0.02, 0.4);
  const result = r.status >= 500 ? 'Error' : r.status === 403 ? 'Error' : r.hit ? 'Hit' : 'Miss';
  const text = formatCloudFrontLogLine({
    date,
    time,
    'x-edge-location': edge,
    'sc-bytes': r.bytes,
    'c-ip': stack ? stack.address(r.ip, deviceOf(r), r.t) : r.ip,
    'cs-method': 'GET',
    'cs(Host)': HOST,
    'cs-uri-stem': r.path,
    'sc-status': r.status,
    'cs(Referer)': '-',
    'cs(User-Agent)': r.ua,
    'cs-uri-query': r.query,
    'cs(Cookie)': '-',
    'x-edge-result-type': result,
    'x-edge-request-id': draw.id(56, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'),
    'x-host-header': 'read.example-books.com',
    'cs-protocol': 'https',
    'cs-bytes': 400 + (r.query.length > 1 ? r.query.length : 0),
    'time-taken': seconds.toFixed(3),
    'x-forwarded-for': '-',
    'ssl-protocol': 'TLSv1.3',
    'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
    'x-edge-response-result-type': result,
    'cs-protocol-version': 'HTTP/2.0',
    'fle-status': '-',
    'fle-encrypted-fields': '-',
    'c-port': 1024 + Math.floor(draw.unit() * 64000),
    'time-to-first-byte': (seconds * 0.8).toFixed(3),
    'x-edge-detailed-result-type': r.status === 403 ? 'Error' : result,
    'sc-content-type': r.contentType,
    'sc-content-len': r.bytes - 400,
    'sc-range-start': r.range?.[0],
    'sc-range-end': r.range?.[1],
  });
  return { t: r.t, edge, text };
}

/** The client a request names: its token's device claim, or its user agent when it carries no token. */
function deviceOf(r: Request): string {
  return r.query.startsWith('bbt=') ? (r.query.split('.', 5)[4] ?? r.ua) : r.ua;
}
