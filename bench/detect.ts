/**
 * Detection throughput and memory (DESIGN §5: ≥ 300,000 CloudFront log lines/s on one core end to end, within
 * 2× of plain gunzip of the same file; 1 M active tokens ≤ 1 GiB). Generates a seeded gzip log of realistic
 * reader traffic once per machine (cached in the temp dir), then times `boundless detect` as a child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { AbuseDetectors, type Detection } from '@boundless/copilot/detect';
import type { GeoLookup } from '@boundless/copilot/geo';
import type { EdgeLogRecord } from '@boundless/copilot/logs';
import { cloudFrontLogHeader, cloudFrontLogTimestamp, formatCloudFrontLogLine } from '@boundless/delivery';
import { mulberry32 } from '@boundless/common/random';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINES = Number(process.env.BENCH_DETECT_LINES ?? 5_000_000);
const WORK = join(tmpdir(), 'boundless-bench-detect');

const AGENTS = [
  'BoundlessReader/4.12.0 (iPhone; iOS 18.1; Scale/3.00)',
  'BoundlessReader/4.12.1 (Linux; Android 14; Pixel 8)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
];
const EDGES = ['IAD89-C1', 'FRA56-C1', 'LHR61-P3', 'NRT57-P2', 'GRU3-C1'];

interface Session {
  ip: string;
  bbt: string;
  title: number;
  chapter: number;
  agent: string;
}

function newSession(rand: () => number, n: number, t: number): Session {
  const account = `acc-${(n % 400_000).toString(36).padStart(6, '0')}`;
  const tokenId = `tok${n.toString(36).padStart(10, '0')}`;
  const scope = Buffer.from(`/titles/t${String(n % 5000).padStart(5, '0')}/`).toString('base64url');
  const iat = Math.floor(t / 1000);
  const device = (n * 2654435761).toString(16).padStart(16, '0').slice(-16);
  // Addresses from a few large /8s, many sessions per NAT address as carriers and campuses have.
  const ip = `${[24, 81, 92, 151, 203][n % 5]}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 64)}`;
  return {
    ip,
    bbt: `v1.sim1.${tokenId}.${account}.${device}.${iat}.${iat + 14_400}.${scope}.${'s'.repeat(43)}`,
    title: n % 5000,
    chapter: 1 + Math.floor(rand() * 20),
    agent: AGENTS[n % AGENTS.length]!,
  };
}

/** Stand-ins for the per-line fields in a session's line template (letters only: the formatter keeps them). */
const SLOTS = ['QxDATEx', 'QxTIMEx', 'QxBYTESx', 'QxSTEMx', 'QxRESULTx', 'QxREQUESTx', 'QxTAKENx', 'QxPORTx'];
const SLOT_PATTERN = new RegExp(SLOTS.join('|'));

/** The session's line with the per-line fields cut out: formatted once by the delivery log writer. */
function lineTemplate(s: Session, publicPage: boolean): string[] {
  const line = formatCloudFrontLogLine({
    date: SLOTS[0],
    time: SLOTS[1],
    'x-edge-location': EDGES[s.title % EDGES.length],
    'sc-bytes': SLOTS[2],
    'c-ip': s.ip,
    'cs-method': 'GET',
    'cs(Host)': 'd2q8b7n5k4m3xa.cloudfront.net',
    'cs-uri-stem': SLOTS[3],
    'sc-status': 200,
    'cs(User-Agent)': s.agent,
    'cs-uri-query': publicPage ? undefined : `bbt=${s.bbt}`,
    'x-edge-result-type': SLOTS[4],
    'x-edge-request-id': SLOTS[5],
    'x-host-header': 'media.boundless.example',
    'cs-protocol': 'https',
    'cs-bytes': 420,
    'time-taken': SLOTS[6],
    'ssl-protocol': 'TLSv1.3',
    'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
    'x-edge-response-result-type': 'Hit',
    'cs-protocol-version': 'HTTP/2.0',
    'c-port': SLOTS[7],
    'time-to-first-byte': '0.004',
    'x-edge-detailed-result-type': 'Hit',
    'sc-content-type': 'application/xhtml+xml',
    'sc-content-len': 30_000,
  });
  const parts = line.split(SLOT_PATTERN);
  if (parts.length !== SLOTS.length + 1) throw new Error(`line template has ${parts.length - 1} slots`);
  return parts;
}

/**
 * Writes `lines` seeded reader lines. Each session's line is formatted once into a template and each line
 * fills in its few varying fields (the same bytes as formatting every line, an order of magnitude faster).
 */
async function generateLog(path: string, lines: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const rand = mulberry32(42);
  const gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED });
  const tmp = `${path}.partial`;
  const done = new Promise<void>((ok, fail) => {
    gzip.pipe(createWriteStream(tmp)).on('finish', ok).on('error', fail);
  });
  gzip.write(cloudFrontLogHeader());
  const start = Date.UTC(2026, 10, 2, 6);
  const sessions: Session[] = [];
  const templates = new Map<Session, string[]>();
  const publicTemplates = new Map<Session, string[]>();
  let created = 0;
  let chunk = '';
  let stampMs = Number.NaN;
  let stamp = { date: '', time: '' };
  for (let i = 0; i < lines; i++) {
    const t = start + Math.floor((i / lines) * 6 * 3_600_000);
    if (sessions.length < 20_000 || rand() < 0.05) sessions.push(newSession(rand, created++, t));
    const at = Math.floor(rand() * sessions.length);
    const s = sessions[at]!;
    if (rand() < 0.03) {
      // A reader closes the book: the session leaves the active set.
      sessions[at] = sessions[sessions.length - 1]!;
      sessions.pop();
      templates.delete(s);
      publicTemplates.delete(s);
    }
    const publicPage = rand() < 0.03;
    s.chapter++;
    if (t !== stampMs) {
      stampMs = t;
      stamp = cloudFrontLogTimestamp(t);
    }
    const cache = publicPage ? publicTemplates : templates;
    let parts = cache.get(s);
    if (parts === undefined) {
      parts = lineTemplate(s, publicPage);
      cache.set(s, parts);
    }
    const title = String(s.title).padStart(5, '0');
    const bytes = 20_000 + Math.floor(rand() * 60_000);
    const result = rand() < 0.9 ? 'Hit' : 'Miss';
    const request = `${Math.floor(rand() * 1e15).toString(36)}AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==`;
    const taken = (rand() * 0.2).toFixed(3);
    const stem = publicPage
      ? `/public/titles/t${title}.html`
      : `/titles/t${title}/epub/ch${String(s.chapter).padStart(3, '0')}.xhtml`;
    chunk +=
      parts[0]! +
      stamp.date +
      parts[1]! +
      stamp.time +
      parts[2]! +
      bytes +
      parts[3]! +
      stem +
      parts[4]! +
      result +
      parts[5]! +
      request +
      parts[6]! +
      taken +
      parts[7]! +
      (40_000 + (i % 20_000)) +
      parts[8]!;
    if (chunk.length > 1 << 20) {
      if (!gzip.write(chunk)) await new Promise((ok) => gzip.once('drain', ok));
      chunk = '';
    }
  }
  gzip.end(chunk);
  await done;
  renameSync(tmp, path);
}

/**
 * The target is measured on one core: pinned to one CPU (taskset, where it exists), `boundless detect`
 * inflates between chunks on its own thread. It is also timed unpinned, as a user runs it: with a core to
 * spare, Node's zlib stream inflates on a pool thread beside the detectors (file-chunks.ts).
 * BENCH_DETECT_PIN=0 skips the pinned run.
 */
const PIN =
  process.env.BENCH_DETECT_PIN !== '0' && spawnSync('taskset', ['-c', '0', 'true']).status === 0
    ? ['taskset', '-c', '0']
    : [];

function timeGunzip(path: string): number {
  const started = performance.now();
  execFileSync('sh', ['-c', `${PIN.join(' ')} gzip -dc '${path}' > /dev/null`]);
  return (performance.now() - started) / 1000;
}

function timeDetect(
  path: string,
  pin: readonly string[],
): { seconds: number; maxRssMb: number; summary: string } {
  const preload = join(WORK, 'report-rss.mjs');
  writeFileSync(
    preload,
    "process.on('exit', () => process.stderr.write('maxrss_kb=' + process.resourceUsage().maxRSS + '\\n'));\n",
  );
  const started = performance.now();
  const [command, ...args] = [...pin, process.execPath];
  const child = spawnSync(
    command!,
    [
      ...args,
      '--import',
      preload,
      join(ROOT, 'bin/boundless.mjs'),
      'detect',
      '--input',
      path,
      '--out',
      join(WORK, 'detections.jsonl'),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`detect failed (${child.status}): ${child.stderr}`);
  const kb = Number(/maxrss_kb=(\d+)/.exec(child.stderr)?.[1] ?? Number.NaN);
  return { seconds, maxRssMb: Math.round(kb / 1024), summary: child.stdout.trim() };
}

/**
 * Heap growth with one million tokens active at once (each seen twice, all within the idle window), held by
 * 250,000 accounts behind 100,000 addresses, as readers with several sessions and NATs make them. Also the
 * growth of ArrayBuffer memory beside the heap (the subject tables' records and the per-address slabs), which
 * heapUsed does not count.
 */
/**
 * The collector, so that heap growth counts what the tokens hold and not garbage not yet collected (the bench
 * runs without --expose-gc; without a collection the figure moved by 200 MB with the garbage of the run).
 */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function activeTokenMemoryMb(tokens: number): { heapMb: number; arrayBuffersMb: number } {
  const geo: GeoLookup = {
    country: () => 'US',
    asn: () => 7922,
    continent: () => 'NA',
    spansContinents: () => false,
    spansCountries: () => false,
  };
  const detectors = new AbuseDetectors(geo);
  const out: Detection[] = [];
  const gc = collector();
  gc();
  const before = process.memoryUsage();
  const start = Date.UTC(2026, 10, 2, 6);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < tokens; i++) {
      const record: EdgeLogRecord = {
        timestampMs: start + round * 600_000 + Math.floor((i / tokens) * 600_000),
        edgeLocation: 'IAD89-C1',
        bytes: 1000,
        clientIp: `10.${((i % 100_000) >> 16) & 255}.${((i % 100_000) >> 8) & 255}.${i & 255}`,
        method: 'GET',
        host: 'h',
        uriStem: `/titles/t${i % 5000}/epub/ch${String(round + 1).padStart(3, '0')}.xhtml`,
        status: 200,
        referer: '',
        userAgent: AGENTS[0]!,
        query: `bbt=v1.k.tok${i.toString(36).padStart(10, '0')}.acc${i % 250_000}.0123456789abcdef.1.2.L3RpdGxlcy8.sig`,
        edgeResultType: 'Hit',
        requestId: 'r',
        timeTakenMs: 1,
        detailedResultType: 'Hit',
        contentType: 'x',
      };
      detectors.observe(record, out);
    }
  }
  gc();
  const after = process.memoryUsage();
  const grown = (after.heapUsed - before.heapUsed) / 2 ** 20;
  const buffers = (after.arrayBuffers - before.arrayBuffers) / 2 ** 20;
  if (detectors.activeSubjects < tokens)
    throw new Error(`expected ${tokens} active tokens, got ${detectors.activeSubjects}`);
  return { heapMb: Math.round(grown), arrayBuffersMb: Math.round(buffers) };
}

export async function run(): Promise<Record<string, number | string>> {
  const path = join(WORK, `cloudfront-${LINES}.log.gz`);
  if (!existsSync(path)) {
    const started = performance.now();
    await generateLog(path, LINES);
    console.log(
      `generated ${LINES} lines in ${((performance.now() - started) / 1000).toFixed(1)} s: ${path}`,
    );
  }
  // The command line builds its bundle on its first run after a change (once, ~0.3 s): not what is timed here.
  execFileSync(process.execPath, [join(ROOT, 'bin/boundless.mjs'), '--version'], { cwd: ROOT });
  const gunzipSeconds = timeGunzip(path);
  const detect = timeDetect(path, PIN);
  const allCores = PIN.length > 0 ? timeDetect(path, []) : detect;
  const memory = activeTokenMemoryMb(1_000_000);
  const results = {
    detect_one_core: PIN.length > 0 ? 'pinned to CPU 0' : 'unpinned',
    detect_lines: LINES,
    detect_seconds: Math.round(detect.seconds * 100) / 100,
    detect_lines_per_second: Math.round(LINES / detect.seconds),
    gunzip_seconds: Math.round(gunzipSeconds * 100) / 100,
    detect_to_gunzip_ratio: Math.round((detect.seconds / gunzipSeconds) * 100) / 100,
    detect_peak_rss_mb: detect.maxRssMb,
    unpinned_detect_seconds: Math.round(allCores.seconds * 100) / 100,
    unpinned_lines_per_second: Math.round(LINES / allCores.seconds),
    unpinned_to_gunzip_ratio: Math.round((allCores.seconds / gunzipSeconds) * 100) / 100,
    heap_mb_1m_active_tokens: memory.heapMb,
    array_buffers_mb_1m_active_tokens: memory.arrayBuffersMb,
    detect_summary: detect.summary.replaceAll('\n', '; '),
  };
  for (const [key, value] of Object.entries(results)) console.log(`${key}: ${value}`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
