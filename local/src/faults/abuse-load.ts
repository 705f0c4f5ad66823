import type { LocalFaultInjector } from './injector.ts';

/**
 * The load an injected `abuse_load` fault puts on the edge: a handful of scraper addresses walking title paths
 * with a tool's user agent, as real HTTP requests to the local edge, so the edge's own logs and metrics show
 * it. The rate grows with the fault's intensity (5 to 50 requests per second) and is bounded per call.
 */
const ADDRESSES = ['203.0.113.10', '203.0.113.11', '203.0.113.12'];
const MAX_PER_CALL = 3_000;
const CONCURRENCY = 8;

function abuseRatePerSecond(intensity: number): number {
  return 5 + 45 * intensity;
}

export class AbuseLoad {
  private walked = 0;
  private lastMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly edgeUrl: () => string | undefined,
    private readonly injector: LocalFaultInjector,
    private readonly clock: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
    /** Scales the rate (a test drives a smaller, quicker load against a smaller baseline). @default 1 */
    private readonly scale = 1,
  ) {
    this.lastMs = clock();
  }

  /** Sends the requests due between the last call and now; resolves when they are answered. */
  async sendDue(nowMs = this.clock()): Promise<number> {
    const fromMs = this.lastMs;
    this.lastMs = nowMs;
    const url = this.edgeUrl();
    if (!url) return 0;
    const active = this.injector.activeOf('abuse_load', nowMs);
    const due = Math.min(
      MAX_PER_CALL,
      Math.round(
        active.reduce((n, f) => n + abuseRatePerSecond(f.intensity), 0) *
          this.scale *
          ((nowMs - fromMs) / 1000),
      ),
    );
    const paths = Array.from({ length: due }, () => {
      this.walked += 1;
      return {
        path: `/titles/t-${String(this.walked % 5000).padStart(4, '0')}/`,
        ip: ADDRESSES[this.walked % 3]!,
      };
    });
    for (let i = 0; i < paths.length; i += CONCURRENCY)
      await Promise.all(
        paths.slice(i, i + CONCURRENCY).map(async ({ path, ip }) => {
          const response = await fetch(`${url}${path}`, {
            headers: { 'user-agent': 'python-requests/2.31.0', 'x-forwarded-for': ip },
            signal: AbortSignal.timeout(5_000),
          });
          await response.arrayBuffer();
        }),
      );
    return due;
  }

  /** Drives the load on wall-clock time, once a second, while the stack runs. */
  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sendDue().then(() => undefined, this.onError));
    }, 1_000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
