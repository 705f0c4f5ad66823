import { z } from 'zod';
import type { LocalTunables } from './tunables.ts';

/** Options of the local runtime, validated once at start so a bad flag fails before anything listens. */
const port = z.number().int().min(0).max(65535);

const localDeliverySchema = z.object({
  /** Where dynalite, keys, content, logs and segments live. */
  dataDir: z.string().min(1).default('.data'),
  host: z.string().min(1).default('127.0.0.1'),
  /**
   * Serve `POST /local/token` (which mints admin tokens for anyone who asks) to other machines too. Off: with
   * `--host 0.0.0.0` only callers on this machine get tokens.
   */
  allowRemoteSignIn: z.boolean().default(false),
  /** 0 picks a free port (tests); `boundless start` passes fixed ones so the walkthrough can be copied. */
  apiPort: port.default(0),
  edgePort: port.default(0),
  xrayPort: port.default(0),
  /** The local WAFv2 endpoint (IP sets of the distribution's web ACL). */
  wafPort: port.default(0),
  /** Seed value for the sample catalog and readers, used on the first start of a data dir only. */
  seed: z.number().int().nonnegative().default(42),
  tableName: z.string().min(3).default('boundless-delivery'),
  region: z.string().min(1).default('us-east-1'),
  /** How often the edge writes its standard access logs out (CloudFront delivers them every few minutes). */
  edgeLogFlushIntervalMs: z.number().int().min(0).default(5_000),
  /** The tunables in force (validated by infra): cache TTLs, API throttling, memory, provisioned concurrency. */
  tunables: z.custom<LocalTunables>((value) => typeof value === 'object' && value !== null).optional(),
  lambda: z
    .object({
      coldStartMs: z.number().int().nonnegative().default(250),
      keepAliveMs: z.number().int().positive().default(600_000),
      concurrencyLimit: z.number().int().positive().default(100),
      timeoutMs: z.number().int().positive().default(10_000),
      /**
       * Run the functions' code in a worker thread (function-thread.ts) rather than on the main event loop,
       * which then keeps the HTTP API, the emulator, logs and traces.
       */
      functionThread: z.boolean().default(true),
    })
    .prefault({}),
  /** Faults injected from the start (`boundless start --inject`); more through `POST /local/faults`. */
  faults: z
    .array(
      z.strictObject({
        kind: z.string().min(1),
        target: z.string().min(1).optional(),
        intensity: z.number().gt(0).max(1).optional(),
        durationMs: z.number().int().positive().optional(),
        delayMs: z.number().int().nonnegative().optional(),
      }),
    )
    .default([]),
});

export type LocalDeliveryOptions = z.input<typeof localDeliverySchema>;
export type LocalDeliveryConfig = z.output<typeof localDeliverySchema>;

class LocalDeliveryConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalDeliveryConfigError';
  }
}

export function parseLocalDeliveryOptions(options: LocalDeliveryOptions): LocalDeliveryConfig {
  const parsed = localDeliverySchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`,
  );
  throw new LocalDeliveryConfigError(`invalid local runtime options:\n  ${problems.join('\n  ')}`, {
    cause: parsed.error,
  });
}
