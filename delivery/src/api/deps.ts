import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLimits, EdgeTokenKeys } from '../config/config.ts';
import type { EdgeKeyValueStore } from '../edge/key-value-store.ts';
import type { IdentitySettings } from '../identity/verifier.ts';
import type { TelemetryFactory } from '../telemetry/telemetry.ts';

export interface Clock {
  /** Milliseconds since the epoch. Injected so tests can move time past expiries without sleeping. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Everything the access API needs from the outside world; the AWS entry and the local runtime build it. */
export interface DeliveryDeps {
  /** Both from `createDynamoClients`; without `client` the hot path goes through `doc` too. */
  dynamo: { doc: DynamoDBDocumentClient; client?: DynamoDBClient; tableName: string };
  keyValueStore: EdgeKeyValueStore;
  /** CloudFront trusted key group member used for signed cookies. */
  cloudFront: { keyPairId: string; privateKeyPem: string };
  /** The distribution's origin, e.g. `https://d111.cloudfront.net`; cookie policies cover `<edge>/titles/<id>/*`. */
  edgeBaseUrl: string;
  /** Set when the API and the distribution share a parent domain, so the browser sends cookies to the edge. */
  cookieDomain?: string;
  edgeTokens: EdgeTokenKeys;
  identity: IdentitySettings;
  clock: Clock;
  telemetry: TelemetryFactory;
  limits?: Partial<DeliveryLimits>;
}
