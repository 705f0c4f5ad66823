// Test helpers that other packages' tests use: a deterministic geolocation for the detectors, synthetic
// per-minute demand for pre-warming.
export { testGeo } from './detect/test-support.ts';
export { dailyDemand } from './prewarm/test-support.ts';
