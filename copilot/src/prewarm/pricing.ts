import { z } from 'zod';

/** AWS Lambda public list prices (x86, us-east-1), in US dollars. */
export const lambdaPricesSchema = z.object({
  onDemandPerGbSecond: z.number().nonnegative().default(0.0000166667),
  perMillionRequests: z.number().nonnegative().default(0.2),
  provisionedPerGbSecond: z.number().nonnegative().default(0.0000041667),
  provisionedDurationPerGbSecond: z.number().nonnegative().default(0.0000097222),
});

export type LambdaPrices = z.infer<typeof lambdaPricesSchema>;

export const LAMBDA_PRICES: LambdaPrices = lambdaPricesSchema.parse({});

/**
 * Share of the time a provisioned environment must be busy to cost no more than serving the same work on
 * demand: about 0.6 at list prices. Below it, provisioned concurrency buys fewer cold starts with money.
 */
export function breakEvenUtilisation(prices: LambdaPrices = LAMBDA_PRICES): number {
  return prices.provisionedPerGbSecond / (prices.onDemandPerGbSecond - prices.provisionedDurationPerGbSecond);
}
