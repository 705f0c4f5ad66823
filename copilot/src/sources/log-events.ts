/** CloudWatch Logs as the copilot reads it, whether from AWS or from the local runtime's log-group files. */
export interface LogEvent {
  logGroup: string;
  logStream?: string;
  timestampMs: number;
  message: string;
  /** Unique within the log group; used to resume exactly after a checkpoint. */
  eventId: string;
}

export interface LogEventQuery {
  logGroup: string;
  startMs: number;
  endMs: number;
  /** CloudWatch filter pattern: space-separated terms that must all appear, or `{ $.key = value }`. */
  filterPattern?: string;
}

export type InsightsRow = Record<string, string>;

export interface LogEventSource {
  readonly kind: 'aws' | 'local';
  filter(query: LogEventQuery): AsyncGenerator<LogEvent>;
  /** Runs a Logs Insights query over the range and returns its rows. */
  insights(logGroups: string[], queryString: string, startMs: number, endMs: number): Promise<InsightsRow[]>;
}

/**
 * The subset of CloudWatch filter-pattern syntax the local adapter honours: terms (all must appear, quoted
 * phrases allowed) and a single JSON comparison `{ $.a.b = value }` / `!=`. Anything else is rejected loudly
 * rather than silently matching everything.
 */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const trimmed = pattern?.trim() ?? '';
  if (trimmed === '') return () => true;
  if (trimmed.startsWith('{')) {
    const match = /^\{\s*\$\.([\w.]+)\s*(=|!=)\s*("?)(.*?)\3\s*\}$/.exec(trimmed);
    if (!match) throw new Error(`unsupported filter pattern: ${trimmed}`);
    const [, path = '', op, , expected = ''] = match;
    const keys = path.split('.');
    return (message) => {
      let value: unknown;
      try {
        value = JSON.parse(message);
      } catch (error) {
        // A line that is not JSON cannot match a JSON filter pattern (CloudWatch Logs answers the same way).
        if (error instanceof SyntaxError) return false;
        throw error;
      }
      for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
      const equal = value !== undefined && String(value) === expected;
      return op === '=' ? equal : !equal;
    };
  }
  const terms = [...trimmed.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  return (message) => terms.every((term) => message.includes(term));
}
