import { errorFunction, probit } from 'simple-statistics';
import { z } from 'zod';
import { ForecastError } from './errors.ts';
import { LevelEnsemble } from './ensemble.ts';
import { ResidualDistribution, SlidingQuantiles } from './residuals.ts';
import { RiseModel, type RiseState } from './rise.ts';
import { seasonalOptionsSchema } from './seasonal.ts';

const MINUTE_MS = 60_000;

export const walkOptionsSchema = z.object({
  /** Row t may use only rows whose time is at most t − lead. */
  leadMinutes: z.number().int().min(0),
  /**
   * Space the model and its error distribution live in. `log`: effects multiply and the spread grows with
   * the level. `sqrt`: the variance-stabilising transform of counts, for demand summed over many independent
   * users, whose spread grows like the square root of the level.
   */
  transform: z.enum(['log', 'sqrt']).default('log'),
  /** Residuals older than this are forgotten, so the error distribution follows the current regime. */
  residualWindowMinutes: z
    .number()
    .int()
    .positive()
    .default(7 * 1440),
  /** The error distribution is re-read this often; in between it barely moves. */
  refreshMinutes: z.number().int().positive().default(30),
  /** Until this many residuals exist, a normal distribution of the fallback spread stands in. */
  minResiduals: z.number().int().positive().default(120),
  /**
   * Residuals are divided by the recent mean absolute residual before they are pooled, so the distribution
   * has no units: the same shape serves a trace ×10 or ×1000 and follows a change of regime within a day.
   */
  spreadHalfLifeMinutes: z.number().positive().default(1440),
  /** Mean absolute error assumed before any residual exists, in the transformed space. */
  fallbackSpread: z.number().positive().optional(),
  seasonal: seasonalOptionsSchema.partial().default({}),
  /**
   * When given, one seasonal model per level half-life, combined by their recent errors (see
   * {@link LevelEnsemble}); otherwise one model with `seasonal.levelHalfLifeMinutes`.
   */
  levelHalfLivesMinutes: z.array(z.number().positive()).min(1).optional(),
  /** How far back the combination looks at each model's errors. */
  combinationHalfLifeMinutes: z.number().positive().default(60),
  /** In a rise under way, also forecast from the rise's own growth (see {@link RiseModel}). */
  riseModel: z.boolean().default(true),
});

export type WalkOptions = z.input<typeof walkOptionsSchema>;

const TRANSFORMS = {
  log: { forward: Math.log1p, inverse: (x: number) => Math.max(0, Math.expm1(x)), fallback: 0.4 },
  // ±1 in square-root units is about the spread of counts with variance four times their mean.
  sqrt: { forward: Math.sqrt, inverse: (x: number) => Math.max(0, x) ** 2, fallback: 0.8 },
} as const;

/** A residual divided by its mean absolute value has a standard deviation of about √(π/2) if normal. */
const NORMAL_SCALED_SD = Math.sqrt(Math.PI / 2);

/** The forecast of one row: its median and its whole distribution, in the series' own units. */
export interface Predictive {
  readonly median: number;
  /** Probability that the row's value is at most `x`. */
  cdf(x: number): number;
  /** The value the row stays at or below with probability `q`. */
  quantile(q: number): number;
}

function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/**
 * Walks a non-negative series once and hands `visit` every row's forecast made `lead` minutes ahead: a
 * seasonal model (time-of-day profile, day-of-week offset, recent level) for the median, and the empirical
 * distribution of this same forecaster's past errors at this lead for the spread, so the distribution is
 * honest about how wrong the model has recently been. Row t never sees a row later than t − lead; `visit`
 * gets `null` for rows with no such history. Rows are visited in order, so a caller may keep state.
 */
export function walkForecast(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  options: WalkOptions,
  visit: (row: number, forecast: Predictive | null, observedRows: number) => void,
): { blind: number } {
  const walker = new ForecastWalker(options);
  if (times.length !== values.length) {
    throw new ForecastError(`times (${times.length}) and values (${values.length}) differ in length`);
  }
  const valueAt = (row: number) => values[row]!;
  for (let row = 0; row < times.length; row++) {
    const forecast = walker.next(times[row]!, valueAt);
    visit(row, forecast, walker.observedRows);
  }
  return { blind: walker.blind };
}

/**
 * The forecast walk one row at a time, with its state carried between calls: a loop that sees one new minute
 * per tick asks for one more row instead of walking its whole history again, and gets the very numbers the
 * batch walk ({@link walkForecast}, a loop over this class) gives that row. Memory is bounded: the models
 * are fixed-size, the residuals a fixed window, and only rows not yet old enough to be observed are kept.
 */
export class ForecastWalker {
  private readonly config: z.output<typeof walkOptionsSchema>;
  private readonly transform: (typeof TRANSFORMS)[keyof typeof TRANSFORMS];
  private readonly model: LevelEnsemble;
  private readonly window: SlidingQuantiles;
  private readonly spreadWeight: number;
  private readonly leadMs: number;
  /** Rows forecast but not yet observed, oldest first: their time, forecast centre and scale. */
  private readonly pending: {
    row: number;
    time: number;
    center: number;
    scale: number;
    /** The seasonal forecast alone and the rise it was made in, when one was under way. */
    plain?: number;
    rise?: RiseState;
  }[] = [];
  private readonly rise: RiseModel | null;
  private spread: number;
  private residualsSeen = 0;
  private distribution: ResidualDistribution | null = null;
  private refreshedAt = -1;
  private observed = 0;
  private rows = 0;
  private lastObservedTime = Number.NaN;
  /** Rows that had no row at least `lead` older to forecast from. */
  blind = 0;

  constructor(options: WalkOptions) {
    const parsed = walkOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ForecastError(`bad forecast options: ${parsed.error.message}`);
    this.config = parsed.data;
    this.transform = TRANSFORMS[this.config.transform];
    this.model = new LevelEnsemble(
      this.config.seasonal,
      this.config.levelHalfLivesMinutes ?? [
        seasonalOptionsSchema.parse(this.config.seasonal).levelHalfLifeMinutes,
      ],
      this.config.combinationHalfLifeMinutes,
    );
    this.window = new SlidingQuantiles(this.config.residualWindowMinutes, -16, 16, 1600);
    this.spreadWeight = 1 - 2 ** (-1 / this.config.spreadHalfLifeMinutes);
    this.spread = this.config.fallbackSpread ?? this.transform.fallback;
    this.leadMs = this.config.leadMinutes * MINUTE_MS;
    this.rise = this.config.riseModel ? new RiseModel(this.transform.forward) : null;
  }

  /** Rows observed so far: every row at least `lead` older than the last row asked for. */
  get observedRows(): number {
    return this.observed;
  }

  /** Rows held because they are not yet old enough to be observed (bounded by the lead). */
  get retainedRows(): number {
    return this.pending.length;
  }

  /**
   * The forecast of the next row, at `time` (not before the previous row's). First observes every earlier row
   * at least `lead` older, reading its value with `valueAt(row)`; null while no row is that old.
   */
  next(time: number, valueAt: (row: number) => number): Predictive | null {
    const row = this.rows++;
    const { forward, inverse } = this.transform;
    while (
      this.pending.length > 0 &&
      this.pending[0]!.row < row &&
      this.pending[0]!.time <= time - this.leadMs
    ) {
      const seen = this.pending.shift()!;
      const value = valueAt(seen.row);
      const actual = forward(Math.max(0, value));
      if (seen.rise && seen.plain !== undefined) this.rise?.learn(seen.rise, seen.plain, value, actual);
      this.rise?.observe(value);
      if (!Number.isNaN(seen.center)) {
        const residual = actual - seen.center;
        this.window.add(residual / seen.scale);
        this.residualsSeen++;
        // A plain mean of the first errors, then an exponential one: one early error never sets the width.
        this.spread +=
          Math.max(this.spreadWeight, 1 / this.residualsSeen) * (Math.abs(residual) - this.spread);
      }
      this.model.observe(seen.row, seen.time, actual);
      this.lastObservedTime = seen.time;
      this.observed++;
    }
    if (this.observed === 0) {
      this.blind++;
      this.pending.push({ row, time, center: Number.NaN, scale: Number.NaN });
      return null;
    }
    const epoch = Math.floor(this.residualsSeen / this.config.refreshMinutes);
    if (this.residualsSeen >= this.config.minResiduals && epoch !== this.refreshedAt) {
      this.refreshedAt = epoch;
      this.distribution = ResidualDistribution.of(this.window);
    }
    const plain = this.model.forecast(row, time, this.lastObservedTime);
    const rise = this.rise?.state(plain) ?? null;
    const middle = this.rise ? this.rise.combine(plain, rise) : plain;
    const scale = Math.max(this.spread, 1e-6);
    this.pending.push({ row, time, center: middle, scale, ...(rise && { plain, rise }) });
    return predictive(middle, scale, this.distribution, inverse, forward);
  }
}

function predictive(
  middle: number,
  scale: number,
  distribution: ResidualDistribution | null,
  inverse: (x: number) => number,
  forward: (x: number) => number,
): Predictive {
  const cdfOfScaled = distribution
    ? (z: number) => distribution.cdf(z)
    : (z: number) => normalCdf(z / NORMAL_SCALED_SD);
  const quantileOfScaled = distribution
    ? (q: number) => distribution.quantile(q)
    : (q: number) => NORMAL_SCALED_SD * probit(Math.min(1 - 1e-9, Math.max(1e-9, q)));
  return {
    median: inverse(middle + scale * quantileOfScaled(0.5)),
    cdf: (x: number) => (x < 0 ? 0 : cdfOfScaled((forward(x) - middle) / scale)),
    quantile: (q: number) => inverse(middle + scale * quantileOfScaled(q)),
  };
}
