import { readFile } from 'node:fs/promises';
import type { CostRow, CostSource } from './cost.ts';
import { SourceError } from './errors.ts';

/** Splits CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let value = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else value += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(value);
      value = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(value);
      rows.push(row);
      row = [];
      value = '';
    } else value += ch;
  }
  if (value !== '' || row.length > 0) {
    row.push(value);
    rows.push(row);
  }
  return rows;
}

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
  const [header, ...body] = parseCsv(text);
  if (!header) throw new SourceError('focus', 'the file is empty');
  const column = new Map(header.map((name, index) => [name.trim(), index]));
  const missing = REQUIRED.filter((name) => !column.has(name));
  if (missing.length > 0) throw new SourceError('focus', `missing FOCUS columns: ${missing.join(', ')}`);
  const cell = (row: string[], name: string) => {
    const index = column.get(name);
    const value = index === undefined ? undefined : row[index];
    return value === undefined || value === '' || value === 'NULL' ? undefined : value;
  };
  const result: FocusImport = { rows: [], skipped: [] };
  body.forEach((row, index) => {
    const line = index + 2;
    if (row.length === 1 && row[0] === '') return;
    if (row.length !== header.length) {
      result.skipped.push({ line, reason: `expected ${header.length} cells, found ${row.length}` });
      return;
    }
    const amount = Number(cell(row, 'BilledCost'));
    const start = cell(row, 'ChargePeriodStart');
    const end = cell(row, 'ChargePeriodEnd');
    if (!Number.isFinite(amount) || !start || !end || Number.isNaN(Date.parse(start.replace(' ', 'T')))) {
      result.skipped.push({ line, reason: 'unreadable BilledCost or ChargePeriodStart/End' });
      return;
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
  });
  return result;
}

export class FocusFileCostSource implements CostSource {
  readonly kind = 'focus' as const;
  constructor(private readonly path: string) {}

  async costs(startDate: string, endDate: string): Promise<CostRow[]> {
    const { rows } = importFocus(await readFile(this.path, 'utf8'));
    return rows.filter(
      (row) => row.periodStart.slice(0, 10) >= startDate && row.periodStart.slice(0, 10) < endDate,
    );
  }
}
