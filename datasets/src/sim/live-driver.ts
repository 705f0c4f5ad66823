import { DatasetError } from '../errors.ts';
import type { Population, SimulatedRequest } from './request.ts';
import { RANGE_CHUNK } from './request.ts';
import type { Grant } from './tokens.ts';

interface LiveAccess {
  bbt: string;
  cookie?: string;
}

export interface LiveDriveOptions {
  /** Base URL of the edge, e.g. `http://127.0.0.1:8080`. */
  edgeUrl: string;
  /**
   * Gets a real token from the access API for the reader a simulated token was issued to. Called once per
   * simulated token, so a token the scenario shares is shared live too; a rejection counts as refused.
   */
  obtainAccess: (reader: Grant) => Promise<LiveAccess>;
  /** The traffic to replay, in event-time order (e.g. `simulateRequests(...)`). */
  requests: Iterable<SimulatedRequest>;
  /** Simulated milliseconds per wall millisecond; `Infinity` sends as fast as concurrency allows. @default 60 */
  speedup?: number;
  /** @default 5000 */
  maxRequests?: number;
  /** Wall-clock bound of the whole drive. @default 60000 */
  maxDurationMs?: number;
  /** Requests in flight at once. @default 16 */
  concurrency?: number;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

interface ActorCounts {
  population: Population;
  /** Scenario label id when the actor is an abuser. */
  label?: string;
  /** 2xx and 304. */
  served: number;
  /** 401, 403, 429, or access refused by the access API. */
  refused: number;
  /** Other statuses (404, 5xx) and network failures. */
  other: number;
}

export interface LiveDriveResult {
  requests: number;
  served: number;
  refused: number;
  other: number;
  durationMs: number;
  stoppedBy: 'exhausted' | 'max_requests' | 'max_duration' | 'aborted';
  actors: Record<string, ActorCounts>;
}

type Outcome = 'served' | 'refused' | 'other';

/**
 * Replays simulated viewers against a live edge over HTTP, at `speedup` times real time, bounded in requests
 * and wall time. The simulated client address travels in `x-forwarded-for` (a local edge may log it as
 * `c-ip`); tokens come from the real access API, so the edge verifies them as it would any reader's.
 */
export async function driveEdgeLive(options: LiveDriveOptions): Promise<LiveDriveResult> {
  const speedup = options.speedup ?? 60;
  const maxRequests = options.maxRequests ?? 5000;
  const maxDurationMs = options.maxDurationMs ?? 60_000;
  const concurrency = options.concurrency ?? 16;
  if (!(speedup > 0) || !(maxRequests > 0) || !(maxDurationMs > 0) || !(concurrency >= 1)) {
    throw new DatasetError('speedup, maxRequests, maxDurationMs and concurrency must be positive');
  }
  const base = parseEdgeUrl(options.edgeUrl);
  const access = new AccessCache(options.obtainAccess);
  const result: LiveDriveResult = {
    requests: 0,
    served: 0,
    refused: 0,
    other: 0,
    durationMs: 0,
    stoppedBy: 'exhausted',
    actors: {},
  };
  const wallStart = Date.now();
  const deadline = wallStart + maxDurationMs;
  const inFlight = new Set<Promise<void>>();
  let simStart: number | undefined;
  for (const request of options.requests) {
    if (options.signal?.aborted) {
      result.stoppedBy = 'aborted';
      break;
    }
    if (result.requests >= maxRequests) {
      result.stoppedBy = 'max_requests';
      break;
    }
    simStart ??= request.time;
    const due = wallStart + (request.time - simStart) / speedup;
    if (due >= deadline) {
      result.stoppedBy = 'max_duration';
      break;
    }
    if (due > Date.now()) await sleep(due - Date.now(), options.signal);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    result.requests += 1;
    const task = send(base, request, access, options.requestTimeoutMs ?? 10_000).then((outcome) => {
      record(result, request, outcome);
      inFlight.delete(task);
    });
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  result.durationMs = Date.now() - wallStart;
  return result;
}

async function send(
  base: URL,
  request: SimulatedRequest,
  access: AccessCache,
  timeoutMs: number,
): Promise<Outcome> {
  const headers: Record<string, string> = {
    'user-agent': request.userAgent,
    'x-forwarded-for': request.ip,
  };
  if (request.deviceId) headers['x-bb-device'] = request.deviceId;
  if (request.referer) headers.referer = request.referer;
  if (request.rangeStart !== undefined)
    headers.range = `bytes=${request.rangeStart}-${request.rangeStart + RANGE_CHUNK - 1}`;
  const url = new URL(request.path, base);
  if (request.query) url.search = request.query;
  if (request.token) {
    const live = await access.get(request.token.tokenId, request.token.grant);
    if (!live) return 'refused';
    url.searchParams.set('bbt', live.bbt);
    if (live.cookie) headers.cookie = live.cookie;
  }
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return classify(response.status);
  } catch {
    return 'other';
  }
}

function classify(status: number): Outcome {
  if ((status >= 200 && status < 300) || status === 304) return 'served';
  if (status === 401 || status === 403 || status === 429) return 'refused';
  return 'other';
}

function record(result: LiveDriveResult, request: SimulatedRequest, outcome: Outcome): void {
  let counts = result.actors[request.actor];
  if (!counts) {
    counts = { population: request.population, served: 0, refused: 0, other: 0 };
    if (request.label !== undefined) counts.label = request.label;
    result.actors[request.actor] = counts;
  }
  counts[outcome] += 1;
  result[outcome] += 1;
}

/** One live token per simulated token, bounded: old sessions' tokens are forgotten first. */
class AccessCache {
  private readonly entries = new Map<string, Promise<LiveAccess | undefined>>();

  constructor(private readonly obtain: (reader: Grant) => Promise<LiveAccess>) {}

  get(tokenId: string, grant: Grant): Promise<LiveAccess | undefined> {
    let entry = this.entries.get(tokenId);
    if (!entry) {
      entry = this.obtain(grant).catch(() => undefined);
      this.entries.set(tokenId, entry);
      if (this.entries.size > 20_000) this.entries.delete(this.entries.keys().next().value!);
    }
    return entry;
  }
}

function parseEdgeUrl(edgeUrl: string): URL {
  try {
    const url = new URL(edgeUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`unsupported protocol ${url.protocol}`);
    return url;
  } catch (error) {
    throw new DatasetError(`edgeUrl "${edgeUrl}" is not an http(s) URL`, { cause: error });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
