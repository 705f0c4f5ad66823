// autocannon ships no types; this covers the programmatic API the benches use.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonOptions {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Cycled through by every connection, in order, instead of one fixed request. */
    requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string }>;
    connections?: number;
    duration?: number;
    amount?: number;
    /** Requests per second across all connections. */
    overallRate?: number;
    pipelining?: number;
    timeout?: number;
  }

  interface AutocannonResult {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    '4xx': number;
    '5xx': number;
    requests: { average: number; total: number; sent: number };
    latency: { p50: number; p90: number; p99: number; average: number; max: number };
    statusCodeStats: Record<string, { count: number }>;
  }

  interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, bytes: number, ms: number) => void,
    ): this;
  }

  function autocannon(options: AutocannonOptions): AutocannonInstance;
  export default autocannon;
}
