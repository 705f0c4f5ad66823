import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessToken, Mitigation, MitigationKind } from '../domain/model.ts';
import { marshallFlat } from './attribute-values.ts';
import { isConditionFailed, type TableRef } from './dynamo.ts';
import { GSI1, keys, stripKeys } from './keys.ts';

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

/** Issued access tokens, the per-account rate-limit windows, and the copilot's mitigations. */
export class AccessStore {
  constructor(private readonly table: TableRef) {}

  /** On the access hot path: a low-level PutItem of the token's flat record (strings and numbers only). */
  async putToken(token: AccessToken): Promise<void> {
    await this.table.client.send(
      new PutItemCommand({
        TableName: this.table.tableName,
        // expiresAt doubles as the DynamoDB TTL attribute: a token record is useless once the token expired.
        Item: marshallFlat({
          ...keys.token(token.tokenId),
          ...keys.tokenIndex(token.accountId, token.iat, token.tokenId),
          ...token,
          expiresAt: token.exp,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getToken(tokenId: string): Promise<AccessToken | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.token(tokenId) }),
    );
    return Item ? toToken(Item) : undefined;
  }

  async listTokens(accountId: string, limit = 50): Promise<AccessToken[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.tokenIndex(accountId, 0, '').gsi1pk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(toToken);
  }

  async revokeToken(tokenId: string, at: number): Promise<RevokeOutcome> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.token(tokenId),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return 'revoked';
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.getToken(tokenId)) ? 'already_revoked' : 'not_found';
    }
  }

  async restoreToken(tokenId: string): Promise<void> {
    await this.table.doc
      .send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.token(tokenId),
          UpdateExpression: 'REMOVE revokedAt',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }

  /**
   * Fixed-window counter: one item per account and window, incremented only while under the limit, so a
   * throttled caller does not keep inflating the count. Returns false when the request is over the limit.
   */
  async hitRateWindow(
    accountId: string,
    limit: number,
    windowSeconds: number,
    now: number,
  ): Promise<boolean> {
    const windowStart = Math.floor(now / windowSeconds) * windowSeconds;
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.rateWindow(accountId, windowStart),
          UpdateExpression: 'SET expiresAt = :expires ADD hits :one',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expires': windowStart + 2 * windowSeconds,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Natural key (account, kind[, token]) makes setting a mitigation idempotent; returns what it replaced.
   * `keepExisting` leaves a present item untouched, so a retried action keeps the first one's time and author.
   */
  async putMitigation(
    mitigation: Mitigation,
    options: { keepExisting?: boolean } = {},
  ): Promise<Mitigation | undefined> {
    const key = mitigationKey(mitigation.accountId, mitigation.kind, tokenIdOf(mitigation));
    try {
      const { Attributes } = await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...key,
            ...keys.mitigationIndex(mitigation.expiresAt, mitigation.accountId, key.sk),
            ...mitigation,
          },
          ReturnValues: 'ALL_OLD',
          ...(options.keepExisting ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
      return Attributes ? stripKeys<Mitigation>(Attributes) : undefined;
    } catch (error) {
      if (options.keepExisting && isConditionFailed(error)) return mitigation;
      throw error;
    }
  }

  async deleteMitigation(
    accountId: string,
    kind: MitigationKind,
    tokenId?: string,
  ): Promise<Mitigation | undefined> {
    const { Attributes } = await this.table.doc.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: mitigationKey(accountId, kind, tokenId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? stripKeys<Mitigation>(Attributes) : undefined;
  }

  async listAccountMitigations(accountId: string, now: number): Promise<Mitigation[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.mitigationPrefix },
      }),
    );
    return Items.map((item) => stripKeys<Mitigation>(item)).filter((m) => m.expiresAt > now);
  }

  /** Active mitigations across all accounts; expiry is the index's sort key, so expired ones are never read. */
  async listActiveMitigations(now: number, limit = 500): Promise<Mitigation[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :from',
        ExpressionAttributeValues: { ':pk': 'MITIGATION', ':from': keys.mitigationIndexFrom(now) },
        Limit: limit,
      }),
    );
    return Items.map((item) => stripKeys<Mitigation>(item));
  }
}

function tokenIdOf(mitigation: Mitigation): string | undefined {
  return mitigation.kind === 'token_revoked' ? mitigation.tokenId : undefined;
}

function mitigationKey(accountId: string, kind: MitigationKind, tokenId: string | undefined) {
  return keys.mitigation(accountId, kind, kind === 'token_revoked' ? tokenId : undefined);
}

function toToken(item: Record<string, unknown>): AccessToken {
  const { expiresAt: _ttl, ...token } = stripKeys<Record<string, unknown>>(item);
  return token as unknown as AccessToken;
}
