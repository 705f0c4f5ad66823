import type { z } from 'zod';

/** Bad simulator options or unusable reference data; `cause` keeps the underlying failure. */
export class DatasetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatasetError';
  }
}

/** Options checked against a simulator's schema; every problem named by its path, in one DatasetError. */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  what: string,
  options: z.input<Schema>,
): z.output<Schema> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
    throw new DatasetError(`invalid ${what} options: ${problems.join('; ')}`);
  }
  return parsed.data;
}
