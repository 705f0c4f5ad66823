import type { Catalog } from './catalog.ts';
import type { IpSpace } from './ip-space.ts';

/** What every actor of one run shares: the clock window, the catalog and the address space. */
export interface World {
  readonly seed: number;
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
  readonly catalog: Catalog;
  readonly ips: IpSpace;
  /** When the release-day title drops (epoch ms). */
  readonly releaseAt: number;
}
