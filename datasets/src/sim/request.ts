import type { IssuedToken } from './tokens.ts';

/** Who generated a request: legitimate populations (hard negatives included) or a labelled abuse scenario. */
export type Population =
  | 'b2c'
  | 'binge'
  | 'short_form'
  | 'campus'
  | 'org_admin'
  | 'household'
  | 'traveller'
  | 'vpn'
  | 'commuter'
  | 'shelf_sync'
  | 'crawler'
  | 'monitor'
  | 'abuse';

/** One viewer request as the client sends it; the edge model decides status, cache result and bytes. */
export interface SimulatedRequest {
  /** Event time, epoch milliseconds. */
  readonly time: number;
  /** Stable actor id: one reader, one crawler, one scenario participant. */
  readonly actor: string;
  readonly population: Population;
  /** Label id this request is abusive under (only abuse requests carry one). */
  readonly label?: string;
  readonly ip: string;
  readonly country: string;
  readonly path: string;
  /** Query parameters besides `bbt` (cache busters), already encoded. */
  readonly query?: string;
  readonly token?: IssuedToken;
  /** Value of the `x-bb-device` header. */
  readonly deviceId?: string;
  readonly userAgent: string;
  readonly referer?: string;
  /** First byte of a 1 MiB Range request. */
  readonly rangeStart?: number;
  /** The client holds a cached copy and revalidates (If-None-Match). */
  readonly conditional?: boolean;
  readonly port: number;
}

export type RequestStream = Iterator<SimulatedRequest>;

export const RANGE_CHUNK = 1024 * 1024;

/**
 * Every request object gets the same properties in the same order, so the merge, the edge model and the
 * formatter see one object shape (monomorphic property access is several times faster on this hot path).
 */
export function simulatedRequest(r: SimulatedRequest): SimulatedRequest {
  return {
    time: r.time,
    actor: r.actor,
    population: r.population,
    label: r.label,
    ip: r.ip,
    country: r.country,
    path: r.path,
    query: r.query,
    token: r.token,
    deviceId: r.deviceId,
    userAgent: r.userAgent,
    referer: r.referer,
    rangeStart: r.rangeStart,
    conditional: r.conditional,
    port: r.port,
  };
}
