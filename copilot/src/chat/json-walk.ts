/** Helpers over JSON-like values (tool arguments and results). */
type Scalar = string | number | boolean;

/** Maps every string inside a value; object keys too when `keys` is set (a key can be an address). */
export function mapStrings(value: unknown, map: (s: string) => string, keys = false): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map, keys));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[keys ? map(key) : key] = mapStrings(item, map, keys);
    return out;
  }
  return value;
}

export function walkScalars(value: unknown, visit: (scalar: Scalar) => void): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) walkScalars(item, visit);
    return;
  }
  if (typeof value === 'object') {
    for (const item of Object.values(value as Record<string, unknown>)) walkScalars(item, visit);
    return;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') visit(value);
}
