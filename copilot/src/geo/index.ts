// IP address -> country, ASN and continent, from the packaged tables (cached as typed arrays).
export {
  embeddedGeo,
  GeoDataError,
  type GeoLookup,
  type Ipv4Tables,
  ipv4Tables,
  ipv6AsnRanges,
  ipv6LineKey,
  networkOf,
} from './ip-geo.ts';
