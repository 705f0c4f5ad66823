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
  /** The event a Logs Insights row's `@ptr` points to (GetLogRecord), where the source can open one. */
  record?(pointer: string): Promise<LogEvent | undefined>;
}

/**
 * The CloudWatch console page showing one log event: its stream, scrolled to its time. The console's fragment
 * encodes each part twice (URL encoding, then `%` as `$25`) and the query as `$3F`, `$3D`, `$26`.
 */
export function logEventConsoleUrl(
  region: string,
  group: string,
  stream: string,
  timestampMs: number,
): string {
  const part = (text: string) => encodeURIComponent(encodeURIComponent(text)).replace(/%/g, '$');
  const query = `$3Fstart$3D${timestampMs}$26end$3D${timestampMs + 1}`;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${part(group)}/log-events/${part(stream)}${query}`;
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
