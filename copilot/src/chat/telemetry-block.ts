import { randomBytes } from 'node:crypto';

/**
 * How a tool result is shown to the model: compacted JSON inside a block named with a per-answer nonce, so text
 * in the telemetry cannot close the block and pretend to speak outside it (no log line knows the nonce).
 */
export function newNonce(): string {
  return randomBytes(4).toString('hex');
}

export function blockTag(nonce: string): string {
  return `telemetry-${nonce}`;
}

export function telemetryBlock(nonce: string, tool: string, payload: unknown): string {
  const tag = blockTag(nonce);
  return `<${tag} tool="${tool}">\n${JSON.stringify(compactForModel(payload))}\n</${tag}>`;
}

interface CompactLimits {
  maxString: number;
  maxArray: number;
}

const STEPS: CompactLimits[] = [
  { maxString: 500, maxArray: 30 },
  { maxString: 300, maxArray: 12 },
  { maxString: 160, maxArray: 5 },
  { maxString: 80, maxArray: 2 },
];

/**
 * Shortens long strings and lists (saying how much was left out) until the JSON fits `maxChars`, so one large
 * query result cannot eat the incident's token budget.
 */
function compactForModel(value: unknown, maxChars = 9_000): unknown {
  let compact: unknown = value;
  for (const limits of STEPS) {
    compact = shorten(value, limits, 0);
    if (JSON.stringify(compact).length <= maxChars) return compact;
  }
  const text = JSON.stringify(compact);
  return { truncated: `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters left out)` };
}

function shorten(value: unknown, limits: CompactLimits, depth: number): unknown {
  if (typeof value === 'string')
    return value.length > limits.maxString
      ? `${value.slice(0, limits.maxString)}… (+${value.length - limits.maxString} chars)`
      : value;
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.maxArray).map((item) => shorten(item, limits, depth + 1));
    if (value.length > limits.maxArray) kept.push(`… ${value.length - limits.maxArray} more items left out`);
    return kept;
  }
  if (value && typeof value === 'object') {
    if (depth > 6) return '… (nested too deep)';
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = shorten(item, limits, depth + 1);
    return out;
  }
  return value;
}
