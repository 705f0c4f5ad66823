import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Key } from './keys.ts';

/**
 * DynamoDB's attribute-value JSON for the hot path's low-level calls, which skip the DocumentClient's generic
 * marshalling (and its second middleware stack). Reading converts exactly as the DocumentClient does with its
 * defaults: numbers become JS numbers (BigInt beyond the safe range), sets become Sets, binary stays bytes.
 */
export type AttributeMap = Record<string, AttributeValue>;

export function keyAttributes(key: Key): AttributeMap {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

export function unmarshallItem(item: AttributeMap): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name in item) result[name] = toNative(item[name] as AttributeValue);
  return result;
}

function toNative(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return toNumber(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return unmarshallItem(value.M);
  if (value.L !== undefined) return value.L.map(toNative);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(toNumber));
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return new Set(value.BS);
  throw new Error(`unsupported attribute value: ${Object.keys(value).join(',')}`);
}

function toNumber(text: string): number | bigint {
  const number = Number(text);
  return Number.isFinite(number) && Math.abs(number) > Number.MAX_SAFE_INTEGER ? BigInt(text) : number;
}

/** Strings and finite numbers only: what the hot path writes. Undefined members are left out. */
export function marshallFlat(record: Record<string, string | number | undefined>): AttributeMap {
  const item: AttributeMap = {};
  for (const name in record) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value === 'string') item[name] = { S: value };
    else if (Number.isFinite(value)) item[name] = { N: String(value) };
    else throw new Error(`attribute ${name} is not a finite number`);
  }
  return item;
}
