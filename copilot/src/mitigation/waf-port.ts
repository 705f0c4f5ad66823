import { GetIPSetCommand, UpdateIPSetCommand, type WAFV2Client } from '@aws-sdk/client-wafv2';
import type { Mitigation, MitigationPort } from './types.ts';
import { deadline, OUTBOUND_TIMEOUT_MS } from '../sources/aws-client.ts';

export interface WafIpSetRef {
  name: string;
  id: string;
  /** CLOUDFRONT for a distribution's web ACL (served from us-east-1). */
  scope: 'CLOUDFRONT' | 'REGIONAL';
}

/**
 * Address-scoped actions in AWS: the address joins a WAFv2 IP set that the distribution's web ACL blocks
 * (block_ip) or rate-limits with a scoped-down rate-based rule (rate_limit). WAF updates are optimistic:
 * a concurrent writer makes the lock token stale, so the read-modify-write is retried.
 */
export class WafIpSetPort implements MitigationPort {
  constructor(
    private readonly client: WAFV2Client,
    private readonly sets: { block: WafIpSetRef; rateLimit: WafIpSetRef },
    private readonly maxAttempts = 5,
    /** Deadline of each WAF call, the SDK's retries included. */
    private readonly timeoutMs = OUTBOUND_TIMEOUT_MS,
  ) {}

  apply(mitigation: Mitigation): Promise<void> {
    return this.update(mitigation, (addresses, cidr) => addresses.add(cidr));
  }

  lift(mitigation: Mitigation): Promise<void> {
    return this.update(mitigation, (addresses, cidr) => addresses.delete(cidr));
  }

  private async update(mitigation: Mitigation, change: (addresses: Set<string>, cidr: string) => void) {
    const ip = mitigation.target.ip;
    if (!ip) throw new Error(`${mitigation.action} through WAF needs an address`);
    const set = mitigation.action === 'block_ip' ? this.sets.block : this.sets.rateLimit;
    const cidr = ip.includes(':') ? `${ip}/128` : `${ip}/32`;
    for (let attempt = 1; ; attempt++) {
      const current = await this.client.send(
        new GetIPSetCommand({ Name: set.name, Id: set.id, Scope: set.scope }),
        deadline(this.timeoutMs),
      );
      const addresses = new Set(current.IPSet?.Addresses ?? []);
      change(addresses, cidr);
      try {
        await this.client.send(
          new UpdateIPSetCommand({
            Name: set.name,
            Id: set.id,
            Scope: set.scope,
            Addresses: [...addresses].sort(),
            LockToken: current.LockToken,
          }),
          deadline(this.timeoutMs),
        );
        return;
      } catch (error) {
        if ((error as Error).name !== 'WAFOptimisticLockException' || attempt >= this.maxAttempts)
          throw error;
      }
    }
  }
}

/** Routes each mitigation to the port that owns its kind of target: addresses to WAF, the rest to the admin API. */
export class RoutingMitigationPort implements MitigationPort {
  constructor(
    private readonly accountsAndTokens: MitigationPort,
    private readonly addresses: MitigationPort,
  ) {}

  private portFor(mitigation: Mitigation): MitigationPort {
    return mitigation.target.ip && !mitigation.target.accountId && !mitigation.target.tokenId
      ? this.addresses
      : this.accountsAndTokens;
  }

  apply(mitigation: Mitigation) {
    return this.portFor(mitigation).apply(mitigation);
  }

  lift(mitigation: Mitigation) {
    return this.portFor(mitigation).lift(mitigation);
  }
}
