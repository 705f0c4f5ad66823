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

/**
 * Publishes the access API's signing secrets as `k:<kid>` so the edge can verify what it issues. The value is
 * the secret string itself, used as the HMAC key. Retire a kid by deleting its key once its tokens expired.
 */
export async function putSigningSecrets(
  store: EdgeKeyValueStore,
  secrets: Record<string, string>,
): Promise<void> {
  for (const [kid, secret] of Object.entries(secrets)) await store.put(kvsKeys.signingSecret(kid), secret);
}
