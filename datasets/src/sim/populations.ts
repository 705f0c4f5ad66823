import type { PopulationMix } from './population.ts';
import type { Profile } from './profiles.ts';

/**
 * The three populations abuse detection is judged on. Parameters are chosen on `development` only;
 * `validation` draws every archetype's parameters from other ranges, with another catalog house style and
 * another mix, on seeds never used while tuning; `hard_negative` holds legitimate readers only, weighted
 * towards the behaviours most easily mistaken for abuse, where no mitigation at all is tolerated.
 */
export type PopulationName = 'development' | 'validation' | 'hard_negative';

export interface PopulationSpec {
  readonly name: PopulationName;
  readonly description: string;
  readonly profile: Profile;
  readonly mix: PopulationMix;
  /** Whether labelled abuse scenarios run in it. */
  readonly abuse: boolean;
  /** The seeds `boundless eval abuse` runs, and each run's length and accounts. */
  readonly seeds: readonly number[];
  /**
   * Seeds whose results were looked at once after tuning (so no longer held out): still runnable with
   * `--seeds`, and reported as seen.
   */
  readonly seenSeeds: readonly number[];
  /** Seeds of the development stress run (`--widen`: development ranges widened to [a/2, 2b], this mix). */
  readonly stressSeeds: readonly number[];
  readonly hours: number;
  readonly readers: number;
}

export const POPULATIONS: Readonly<Record<PopulationName, PopulationSpec>> = {
  development: {
    name: 'development',
    description: 'tuning population: development ranges and catalog style, seeds 1-3',
    profile: 'development',
    mix: {
      reader: 0.3,
      binge: 0.05,
      short_form: 0.06,
      comic: 0.06,
      short_story: 0.04,
      campus: 0.18,
      org_admin: 0.005,
      household: 0.12,
      traveller: 0.03,
      vpn: 0.05,
      commuter: 0.06,
      shelf_sync: 0.045,
    },
    abuse: true,
    seeds: [1, 2, 3],
    seenSeeds: [],
    stressSeeds: [3002],
    hours: 24,
    readers: 4000,
  },
  validation: {
    name: 'validation',
    description:
      'never used while tuning: validation ranges, another catalog style and mix, seeds 1915-1916 (1001-1002 up to 1999 seen)',
    profile: 'validation',
    mix: {
      reader: 0.22,
      binge: 0.07,
      short_form: 0.08,
      comic: 0.08,
      short_story: 0.06,
      campus: 0.2,
      org_admin: 0.01,
      household: 0.1,
      traveller: 0.04,
      vpn: 0.06,
      commuter: 0.05,
      shelf_sync: 0.03,
    },
    abuse: true,
    seeds: [1915, 1916],
    seenSeeds: [
      1001, 1002, 1101, 1102, 1201, 1202, 1301, 1302, 1401, 1402, 1501, 1502, 1601, 1602, 1701, 1702, 1801,
      1802, 1901, 1902, 1903, 1904, 1905, 1906, 1907, 1908, 1909, 1910, 1911, 1912, 1913, 1914, 1921, 1922,
      1931, 1932, 1941, 1942, 1951, 1952, 1961, 1962, 1971, 1972, 1981, 1982, 1983, 1985, 1986, 1987, 1988,
      1989, 1990, 1991, 1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999,
    ],
    stressSeeds: [],
    hours: 36,
    readers: 4000,
  },
  hard_negative: {
    name: 'hard_negative',
    description:
      'legitimate readers only, weighted to the look-alikes of abuse; validation ranges, seed 2915 (2001 up to 2999 seen)',
    profile: 'validation',
    mix: {
      reader: 0.08,
      binge: 0.1,
      short_form: 0.12,
      comic: 0.12,
      short_story: 0.08,
      campus: 0.18,
      org_admin: 0.02,
      household: 0.08,
      traveller: 0.06,
      vpn: 0.06,
      commuter: 0.06,
      shelf_sync: 0.04,
    },
    abuse: false,
    seeds: [2915],
    seenSeeds: [
      2001, 2101, 2201, 2301, 2401, 2501, 2601, 2701, 2801, 2901, 2903, 2905, 2907, 2909, 2911, 2913, 2921,
      2931, 2941, 2951, 2961, 2971, 2981, 2985, 2987, 2989, 2991, 2993, 2995, 2997, 2999,
    ],
    stressSeeds: [3001],
    hours: 24,
    readers: 4000,
  },
};
