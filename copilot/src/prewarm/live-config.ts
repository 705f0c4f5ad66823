import { z } from 'zod';
import { PrewarmError } from './errors.ts';
import { DEFAULT_COLD_START_COST } from './planner.ts';

const MINUTE_MS = 60_000;

const livePrewarmConfigSchema = z
  .object({
    /** Functions whose provisioned concurrency the loop owns; others are never touched. */
    functions: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name')).min(1),
    /**
     * Row t is planned from minutes ≤ t − lead: a minute's metrics arrive about a minute late, the loop
     * acts the minute after, and new environments take `allocationMinutes` to initialise.
     */
    leadMinutes: z.number().int().min(1).max(60).default(5),
    allocationMinutes: z.number().int().min(0).max(15).default(3),
    /**
     * Minutes a metrics service may take to complete a minute after it ends: the loop reads no minute that ended
     * less than this long before the tick's minute began, so each minute is read once, whole (PREWARM.md,
     * "Metrics that arrive late"). The newest minute a tick reads ends `leadMinutes − allocationMinutes − 1`
     * minutes before it: this may be at most that. 0 where metrics are final at once (the local loop).
     */
    settleMinutes: z.number().int().min(0).max(10).default(0),
    /** The stated value of one avoided cold start, in idle environment-minutes (PREWARM.md). */
    coldStartCost: z.number().positive().max(10_000).default(DEFAULT_COLD_START_COST),
    /**
     * Minutes of history read when a function's plan starts (or starts again); from then on each tick plans
     * only the new minutes, carrying the forecast's state, so the plan keeps learning from every minute since.
     */
    historyMinutes: z
      .number()
      .int()
      .min(60)
      .max(14 * 1440)
      .default(1440),
    /** Guards on what the loop may request, whatever the forecast says. */
    minCapacity: z.number().int().min(0).default(0),
    maxCapacity: z.number().int().positive().max(100_000).default(1000),
    /** Used until a function has served requests whose duration is known. */
    defaultDurationMs: z.number().positive().max(900_000).default(100),
    /**
     * The plan converts requests to concurrency with the function's mean duration, kept as a running mean of
     * every minute read (weights fading by e over `historyMinutes`); when it moves by more than this share
     * from the one the plan was started with, the plan starts again from the history.
     */
    durationTolerance: z.number().min(0).max(1).default(0.05),
    /**
     * Start times (epoch ms) of scheduled events, a release calendar, as `prewarm plan --events` reads it: the
     * minutes after each are raised by what earlier events did (PREWARM.md, "A release calendar"). Optional.
     */
    events: z.array(z.number().finite()).default([]),
    /** Minutes after an event's start whose forecast the calendar may raise. */
    eventWindowMinutes: z.number().int().positive().max(1440).default(60),
    /** Plan and audit, but change nothing. */
    dryRun: z.boolean().default(false),
    intervalMs: z.number().int().min(1000).default(MINUTE_MS),
  })
  .strict()
  .refine((c) => c.minCapacity <= c.maxCapacity, { message: 'minCapacity must not exceed maxCapacity' })
  .refine((c) => c.allocationMinutes + c.settleMinutes < c.leadMinutes, {
    message:
      'leadMinutes must exceed allocationMinutes + settleMinutes (the metric delay and the decision take a minute)',
  });

export type LivePrewarmConfig = z.input<typeof livePrewarmConfigSchema>;
export type LiveSettings = z.output<typeof livePrewarmConfigSchema>;

/** Reads and validates the loop's configuration once; a bad one is a clear error, not a loop that misbehaves. */
export function parseLivePrewarmConfig(config: unknown): LiveSettings {
  const parsed = livePrewarmConfigSchema.safeParse(config);
  if (!parsed.success) throw new PrewarmError(`bad live pre-warming config: ${parsed.error.message}`);
  return parsed.data;
}
