// The local CloudFront edge: signed cookies and URLs, the viewer-request function in node:vm with a
// KeyValueStore, the cache with Origin Shield, standard and real-time logs.
export {
  buildViewerRequestEvent,
  type CfViewerRequestEvent,
  type ViewerRequestInput,
} from './function-event.ts';
export {
  DEFAULT_VIEWER_REQUEST_SOURCE,
  type FunctionOutcome,
  type FunctionResult,
  loadViewerRequestFunction,
  type ViewerRequestFunction,
} from './function-runner.ts';
export {
  type LocalEdge,
  type LocalEdgeOptions,
  type LocalEdgeStats,
  startLocalEdge,
} from './local-edge.ts';
export { LocalKeyValueStore, type LocalKeyValueStoreOptions } from './local-kvs.ts';
export { LOOPBACK_PROXIES, type ViewerIpSource } from './viewer-address.ts';
