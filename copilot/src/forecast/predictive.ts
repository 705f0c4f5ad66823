import { errorFunction, probit } from 'simple-statistics';
import { z } from 'zod';
import { ForecastError } from './errors.ts';
import { ResidualDistribution, SlidingQuantiles } from './residuals.ts';
import { LevelEnsemble } from './ensemble.ts';
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
  const parsed = walkOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ForecastError(`bad forecast options: ${parsed.error.message}`);
  const config = parsed.data;
  if (times.length !== values.length) {
    throw new ForecastError(`times (${times.length}) and values (${values.length}) differ in length`);
  }
  const n = times.length;
  const { forward, inverse, fallback } = TRANSFORMS[config.transform];
  const model = new LevelEnsemble(
    config.seasonal,
    config.levelHalfLivesMinutes ?? [seasonalOptionsSchema.parse(config.seasonal).levelHalfLifeMinutes],
    config.combinationHalfLifeMinutes,
    n,
  );
  const window = new SlidingQuantiles(config.residualWindowMinutes, -16, 16, 1600);
  const center = new Float64Array(n).fill(Number.NaN);
  const spreadAt = new Float64Array(n).fill(Number.NaN);
  const spreadWeight = 1 - 2 ** (-1 / config.spreadHalfLifeMinutes);
  let spread = config.fallbackSpread ?? fallback;
  let residualsSeen = 0;
  let distribution: ResidualDistribution | null = null;
  let refreshedAt = -1;
  let observed = 0;
  let blind = 0;
  const leadMs = config.leadMinutes * MINUTE_MS;
  for (let row = 0; row < n; row++) {
    const target = times[row]!;
    while (observed < row && times[observed]! <= target - leadMs) {
      const actual = forward(Math.max(0, values[observed]!));
      if (!Number.isNaN(center[observed]!)) {
        const residual = actual - center[observed]!;
        window.add(residual / spreadAt[observed]!);
        residualsSeen++;
        // A plain mean of the first errors, then an exponential one: one early error never sets the width.
        spread += Math.max(spreadWeight, 1 / residualsSeen) * (Math.abs(residual) - spread);
      }
      model.observe(observed, times[observed]!, actual);
      observed++;
    }
    if (observed === 0) {
      blind++;
      visit(row, null, 0);
      continue;
    }
    const epoch = Math.floor(residualsSeen / config.refreshMinutes);
    if (residualsSeen >= config.minResiduals && epoch !== refreshedAt) {
      refreshedAt = epoch;
      distribution = ResidualDistribution.of(window);
    }
    const middle = model.forecast(row, target, times[observed - 1]!);
    const scale = Math.max(spread, 1e-6);
    center[row] = middle;
    spreadAt[row] = scale;
    visit(row, predictive(middle, scale, distribution, inverse, forward), observed);
  }
  return { blind };
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
