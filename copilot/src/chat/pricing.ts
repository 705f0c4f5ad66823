import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

const priceTableSchema = z.object({
  about: z.string().optional(),
  models: z.array(
    z.object({
      prefix: z.string().min(3),
      inputPerMillion: z.number().nonnegative(),
      outputPerMillion: z.number().nonnegative(),
    }),
  ),
});

export type PriceTable = z.output<typeof priceTableSchema>;

const DEFAULT_PRICE_TABLE_PATH = new URL('../../model-prices.json', import.meta.url);

export function loadPriceTable(path: URL | string = DEFAULT_PRICE_TABLE_PATH): PriceTable {
  return priceTableSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Cross-region inference profiles prefix the model id with a geography. */
const PROFILE_PREFIX = /^(?:us|eu|apac|us-gov|global|jp|au|ca)\./;

/** The price of a Bedrock model id (or inference profile id); undefined when the table does not know it. */
export function priceFor(table: PriceTable, modelId: string): ModelPrice | undefined {
  const id = modelId.replace(PROFILE_PREFIX, '');
  return table.models.find((entry) => id.startsWith(entry.prefix));
}

export function costUsd(price: ModelPrice | undefined, inputTokens: number, outputTokens: number): number {
  if (!price) return 0;
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}
