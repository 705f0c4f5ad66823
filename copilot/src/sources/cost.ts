import { type CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { deadline } from './aws-client.ts';

/** One day (or month) of cost for one service, whatever the source: Cost Explorer, a FOCUS export or the local model. */
export interface CostRow {
  periodStart: string;
  periodEnd: string;
  service: string;
  /** Unblended or billed cost in `currency`. */
  amount: number;
  currency: string;
  usageQuantity?: number;
  usageUnit?: string;
  resourceId?: string;
}

export interface CostSource {
  readonly kind: 'aws' | 'local' | 'focus';
  costs(startDate: string, endDate: string): Promise<CostRow[]>;
}

/** Cost Explorer's API is served from us-east-1 whatever the workload's region; the client must be built so. */
export class AwsCostSource implements CostSource {
  readonly kind = 'aws' as const;

  constructor(
    private readonly client: CostExplorerClient,
    private readonly timeoutMs?: number,
  ) {}

  async costs(startDate: string, endDate: string): Promise<CostRow[]> {
    const rows: CostRow[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: startDate, End: endDate },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost', 'UsageQuantity'],
          GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
          NextPageToken: token,
        }),
        deadline(this.timeoutMs),
      );
      for (const period of page.ResultsByTime ?? []) {
        for (const group of period.Groups ?? []) {
          const cost = group.Metrics?.UnblendedCost;
          rows.push({
            periodStart: period.TimePeriod?.Start ?? '',
            periodEnd: period.TimePeriod?.End ?? '',
            service: group.Keys?.[0] ?? 'unknown',
            amount: Number(cost?.Amount ?? 0),
            currency: cost?.Unit ?? 'USD',
            usageQuantity: group.Metrics?.UsageQuantity
              ? Number(group.Metrics.UsageQuantity.Amount)
              : undefined,
            usageUnit: group.Metrics?.UsageQuantity?.Unit,
          });
        }
      }
      token = page.NextPageToken;
    } while (token);
    return rows;
  }
}
