// IP address -> country, ASN and continent, from the packaged tables (cached as typed arrays).
export { embeddedGeo, GeoDataError, type GeoLookup, networkOf } from './ip-geo.ts';
