/**
 * A log line's template: its text with the parts that vary per event (ids, numbers, addresses, quoted values,
 * timestamps) masked, so "No contacts for id 7f3…" and "No contacts for id 91a…" count as one pattern.
 * Deliberately simple (the masking step of Drain-style parsers without the tree): good enough to tell a pattern
 * that is new in a window from the ones that were always there.
 */
/** Each mask with a character its matches always hold: most lines lack it, and the search is skipped. */
const MASKS: [RegExp, string, string?][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>', '-'],
  [/\b1-[0-9a-f]{8}-[0-9a-f]{24}\b/g, '<trace>', '-'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?\b/g, '<time>', ':'],
  [/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>', '.'],
  [/\b[0-9a-f]{12,}\b/gi, '<hex>'],
  // Without '@' in the line, this mask would still try a match at every word character.
  [/[\w.+-]+@[\w-]+\.[\w.]+/g, '<email>', '@'],
  [/"[^"]{0,200}"|'[^']{0,200}'/g, '<str>'],
  [/\b[A-Za-z_-]*\d[\w.-]*\b/g, '<n>'],
];

export function templateOf(text: string): string {
  let out = text.length > 600 ? text.slice(0, 600) : text;
  for (const [re, mask, needs] of MASKS) if (!needs || out.includes(needs)) out = out.replace(re, mask);
  return out.replace(/\s+/g, ' ').trim().slice(0, 300);
}
