/**
 * Retries AWS calls that were throttled or hit a transient fault, with capped exponential backoff and full
 * jitter. The SDK's own retry middleware does this too in production; this wrapper exists so the policy is
 * explicit, testable with an injected sleep and random source, and shared by every adapter.
 */
export interface BackoffOptions {
  /** Attempts in total, the first included. @default 5 */
  maxAttempts?: number;
  /** @default 100 */
  baseDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
]);

export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (candidate.$retryable) return true;
  if (candidate.name && RETRYABLE_NAMES.has(candidate.name)) return true;
  const status = candidate.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
      const delay = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      options.onRetry?.(attempt, delay, error);
      await sleep(delay);
    }
  }
}
