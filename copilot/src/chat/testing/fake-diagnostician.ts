import type { Diagnosis, Diagnostician } from '../diagnostician.ts';

/** A diagnostician that returns a fixed diagnosis and counts its runs. */
export class FakeDiagnostician implements Diagnostician {
  runs = 0;

  constructor(private readonly diagnosis: Omit<Diagnosis, 'at' | 'window' | 'mode'> | Error) {}

  async diagnose(input: { at: string; windowMs: number }): Promise<Diagnosis> {
    this.runs += 1;
    if (this.diagnosis instanceof Error) throw this.diagnosis;
    return { at: input.at, window: `${input.windowMs / 60_000}m`, mode: 'offline', ...this.diagnosis };
  }
}

export const TIMEOUT_DIAGNOSIS: Omit<Diagnosis, 'at' | 'window' | 'mode'> = {
  hypotheses: [
    {
      rank: 1,
      component: 'catalog-api',
      fault: 'dependency_slow',
      confidence: 0.82,
      summary: 'DynamoDB GetItem calls from catalog-api time out after 3000 ms since 09:41.',
      evidence: [
        {
          kind: 'log',
          ref: {
            logGroup: '/aws/lambda/catalog-api',
            eventId: '37956425164871000000000000000000000000000000000001',
            timestamp: 1793612460000,
          },
          excerpt: 'GetItem timed out after 3000 ms (client 198.51.100.23)',
        },
        {
          kind: 'trace',
          ref: { traceId: '1-6ae85aac-4f3c2d1e0a9b8c7d6e5f4a3b' },
          excerpt: 'catalog-api 3012 ms, fault in DynamoDB',
        },
      ],
    },
    {
      rank: 2,
      component: 'reader-api',
      fault: 'bad_deploy',
      confidence: 0.31,
      summary: 'reader-api deployed version 42 at 09:38; its errors rose slightly after.',
      evidence: [
        { kind: 'change', ref: { component: 'reader-api', version: '42', at: '2026-11-02T09:38:00Z' } },
      ],
    },
  ],
  gaps: [
    'DynamoDB table metrics: no CloudWatch metrics for the table in the telemetry',
    { what: 'cost', why: 'no cost data' },
  ],
};
