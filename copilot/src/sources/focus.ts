import { readFile } from 'node:fs/promises';
import { readCsv } from '@boundless/common/csv';
import type { CostRow, CostSource } from './cost.ts';
import { SourceError } from './errors.ts';

const REQUIRED = [
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ServiceName',
  'BilledCost',
  'BillingCurrency',
] as const;

export interface FocusImport {
  rows: CostRow[];
  skipped: { line: number; reason: string }[];
}

/**
 * FinOps FOCUS 1.0 rows (any provider's export) as cost rows. `NULL` and empty cells are absent values; a row
 * whose cost or period cannot be read is skipped and reported with its line number.
 */
export function importFocus(text: string): FocusImport {
  const { records, malformed } = readCsv(text);
  const [first, ...body] = records;
  if (!first) throw new SourceError('focus', 'the file is empty');
  const header = first.fields;
  const column = new Map(header.map((name, index) => [name.trim(), index]));
  const missing = REQUIRED.filter((name) => !column.has(name));
  if (missing.length > 0) throw new SourceError('focus', `missing FOCUS columns: ${missing.join(', ')}`);
  const cell = (row: string[], name: string) => {
    const index = column.get(name);
    const value = index === undefined ? undefined : row[index];
    return value === undefined || value === '' || value === 'NULL' ? undefined : value;
  };
  const result: FocusImport = { rows: [], skipped: [...malformed] };
  for (const { line, fields: row } of body) {
    if (row.length !== header.length) {
      result.skipped.push({ line, reason: `expected ${header.length} cells, found ${row.length}` });
      continue;
    }
    const amount = Number(cell(row, 'BilledCost'));
    const start = cell(row, 'ChargePeriodStart');
    const end = cell(row, 'ChargePeriodEnd');
    if (!Number.isFinite(amount) || !start || !end || Number.isNaN(Date.parse(start.replace(' ', 'T')))) {
      result.skipped.push({ line, reason: 'unreadable BilledCost or ChargePeriodStart/End' });
      continue;
    }
    const quantity = cell(row, 'ConsumedQuantity');
    result.rows.push({
      periodStart: start,
      periodEnd: end,
      service: cell(row, 'ServiceName') ?? 'unknown',
      amount,
      currency: cell(row, 'BillingCurrency') ?? 'USD',
      usageQuantity: quantity === undefined ? undefined : Number(quantity),
      usageUnit: cell(row, 'ConsumedUnit'),
      resourceId: cell(row, 'ResourceId'),
    });
  }
  result.skipped.sort((a, b) => a.line - b.line);
  return result;
}

/** The rows of a FOCUS export already read, by the day their charge period starts. */
export class FocusCostSource implements CostSource {
  readonly kind = 'focus' as const;
  constructor(private readonly rows: readonly CostRow[]) {}

  async costs(startDate: string, endDate: string): Promise<CostRow[]> {
    return this.rows.filter(
      (row) => row.periodStart.slice(0, 10) >= startDate && row.periodStart.slice(0, 10) < endDate,
    );
  }
}

/** A FOCUS export on disk, read at each call (a long-running copilot sees the file as it is now). */
export class FocusFileCostSource implements CostSource {
  readonly kind = 'focus' as const;
  constructor(private readonly path: string) {}

  async costs(startDate: string, endDate: string): Promise<CostRow[]> {
    const { rows } = importFocus(await readFile(this.path, 'utf8'));
    return new FocusCostSource(rows).costs(startDate, endDate);
  }
}
