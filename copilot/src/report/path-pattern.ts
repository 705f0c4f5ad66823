/**
 * CloudFront path patterns: `*` matches any run of characters (slashes included), `?` exactly one, case-sensitive;
 * `default` (the default behaviour) matches everything. Shared by the local edge and the report, so both put a
 * path under the same behaviour.
 */
export function pathPatternMatcher(pattern: string): (path: string) => boolean {
  if (pattern === 'default' || pattern === '*') return () => true;
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source.startsWith('\\/') ? '' : '\\/?'}${source}$`);
  return (path) => regex.test(path);
}

/** The first pattern (in CloudFront's order, `default` last) that matches a path. */
export function behaviorMatcher(patterns: readonly string[]): (path: string) => string {
  const ordered = [...patterns.filter((p) => p !== 'default'), 'default'];
  const compiled = ordered.map((pattern) => ({ pattern, matches: pathPatternMatcher(pattern) }));
  return (path) => compiled.find((c) => c.matches(path))?.pattern ?? 'default';
}
