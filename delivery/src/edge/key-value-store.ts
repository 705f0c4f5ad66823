/**
 * The CloudFront KeyValueStore as the delivery core sees it: the admin API writes revocations (`rv:<tokenId>`),
 * forced re-auth marks (`ra:<accountId>`) and signing secrets (`k:<kid>`); the viewer-request function reads
 * them. Locally an in-process store feeds the edge's function shim; in AWS an adapter calls the
 * CloudFront KeyValueStore API. Values are strings, as in CloudFront.
 */
export interface EdgeKeyValueStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export const kvsKeys = {
  revokedToken: (tokenId: string) => `rv:${tokenId}`,
  reauthAccount: (accountId: string) => `ra:${accountId}`,
  signingSecret: (kid: string) => `k:${kid}`,
} as const;
