import type { CostRow, CostSource } from './cost.ts';

/**
 * The local stand-in for Cost Explorer: metered usage of the local stack priced at AWS public list prices
 * (us-east-1 / North America edge, on-demand, first pricing tier), answered in GetCostAndUsage's shape.
 */
export const LIST_PRICES_USD = {
  cloudFrontPerGbOut: 0.085,
  cloudFrontPer10kHttpsRequests: 0.01,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: 0.0000166667,
  lambdaProvisionedPerGbSecond: 0.0000041667,
  dynamoPerMillionReadUnits: 0.125,
  dynamoPerMillionWriteUnits: 0.625,
  s3PerGbMonth: 0.023,
  s3Per1kGetRequests: 0.0004,
} as const;

export interface MeteredUsage {
  /** ISO date the usage belongs to (event time). */
  date: string;
  cloudFrontBytesOut?: number;
  cloudFrontRequests?: number;
  lambdaRequests?: number;
  lambdaGbSeconds?: number;
  lambdaProvisionedGbSeconds?: number;
  dynamoReadUnits?: number;
  dynamoWriteUnits?: number;
  s3GetRequests?: number;
  s3StoredGbDays?: number;
}

const SERVICES = {
  cloudFront: 'Amazon CloudFront',
  lambda: 'AWS Lambda',
  dynamo: 'Amazon DynamoDB',
  s3: 'Amazon Simple Storage Service',
} as const;

export class LocalCostModel implements CostSource {
  readonly kind = 'local' as const;
  private readonly byDayAndService = new Map<string, number>();

  meter(usage: MeteredUsage): void {
    const p = LIST_PRICES_USD;
    const add = (service: string, amount: number) => {
      if (amount <= 0) return;
      const key = `${usage.date}|${service}`;
      this.byDayAndService.set(key, (this.byDayAndService.get(key) ?? 0) + amount);
    };
    add(
      SERVICES.cloudFront,
      ((usage.cloudFrontBytesOut ?? 0) / 1e9) * p.cloudFrontPerGbOut +
        ((usage.cloudFrontRequests ?? 0) / 1e4) * p.cloudFrontPer10kHttpsRequests,
    );
    add(
      SERVICES.lambda,
      ((usage.lambdaRequests ?? 0) / 1e6) * p.lambdaPerMillionRequests +
        (usage.lambdaGbSeconds ?? 0) * p.lambdaPerGbSecond +
        (usage.lambdaProvisionedGbSeconds ?? 0) * p.lambdaProvisionedPerGbSecond,
    );
    add(
      SERVICES.dynamo,
      ((usage.dynamoReadUnits ?? 0) / 1e6) * p.dynamoPerMillionReadUnits +
        ((usage.dynamoWriteUnits ?? 0) / 1e6) * p.dynamoPerMillionWriteUnits,
    );
    add(
      SERVICES.s3,
      ((usage.s3GetRequests ?? 0) / 1e3) * p.s3Per1kGetRequests +
        ((usage.s3StoredGbDays ?? 0) / 30) * p.s3PerGbMonth,
    );
  }

  async costs(startDate: string, endDate: string): Promise<CostRow[]> {
    const rows: CostRow[] = [];
    for (const [key, amount] of [...this.byDayAndService].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [date = '', service = ''] = key.split('|');
      if (date < startDate || date >= endDate) continue;
      const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      rows.push({ periodStart: date, periodEnd: next, service, amount, currency: 'USD' });
    }
    return rows;
  }

  /** The same figures in Cost Explorer's GetCostAndUsage response shape (DAILY, grouped by SERVICE). */
  async getCostAndUsage(startDate: string, endDate: string) {
    const rows = await this.costs(startDate, endDate);
    const days = [...new Set(rows.map((row) => row.periodStart))];
    return {
      ResultsByTime: days.map((day) => ({
        TimePeriod: { Start: day, End: rows.find((row) => row.periodStart === day)?.periodEnd ?? day },
        Total: {},
        Groups: rows
          .filter((row) => row.periodStart === day)
          .map((row) => ({
            Keys: [row.service],
            Metrics: { UnblendedCost: { Amount: row.amount.toFixed(10), Unit: 'USD' } },
          })),
        Estimated: true,
      })),
      GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    };
  }
}
