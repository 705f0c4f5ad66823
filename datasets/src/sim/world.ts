import type { Catalog, Title, TitleKind } from './catalog.ts';
import type { IpSpace } from './ip-space.ts';
import type { Profile, ProfileRanges } from './profiles.ts';

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
  /** Which ranges archetypes draw their parameters from (development or validation). */
  readonly profile: Profile;
  readonly ranges: ProfileRanges;
  readonly titlesByKind: ReadonlyMap<TitleKind, readonly Title[]>;
}
