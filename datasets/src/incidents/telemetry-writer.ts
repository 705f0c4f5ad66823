import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sanitiseLogGroupName } from '@boundless/copilot/telemetry-dir';

/**
 * Writes a telemetry directory (DESIGN §4.4) from simulated events: log groups as
 * `logs/<sanitised group>/<YYYY-MM-DD>.log` with `group.json`, segments as `xray/<YYYY-MM-DD>.jsonl`, each file in
 * event-time order. Ids are sequential per writer, so the same simulation writes the same bytes.
 */
interface Pending {
  timestampMs: number;
  stream: string;
  message: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class TelemetryDirectoryWriter {
  private readonly groups = new Map<string, Pending[]>();
  private readonly segments: { startMs: number; json: string }[] = [];
  private sequence = 0;

  constructor(
    readonly root: string,
    private readonly writerId = 'sim00001',
  ) {}

  log(group: string, stream: string, timestampMs: number, message: string | object): void {
    let list = this.groups.get(group);
    if (!list) {
      list = [];
      this.groups.set(group, list);
    }
    list.push({
      timestampMs: Math.round(timestampMs),
      stream,
      message: typeof message === 'string' ? message : JSON.stringify(message),
    });
  }

  segment(document: { start_time: number; [field: string]: unknown }): void {
    this.segments.push({ startMs: document.start_time * 1000, json: JSON.stringify(document) });
  }

  async write(): Promise<{ logEvents: number; segments: number }> {
    let logEvents = 0;
    for (const [group, events] of [...this.groups].sort(([a], [b]) => a.localeCompare(b))) {
      const dir = join(this.root, 'logs', sanitiseLogGroupName(group));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'group.json'), JSON.stringify({ logGroupName: group }));
      events.sort((a, b) => a.timestampMs - b.timestampMs);
      const byDay = new Map<string, string[]>();
      for (const e of events) {
        this.sequence += 1;
        const line = JSON.stringify({
          id: `${e.timestampMs}-${this.writerId}-${this.sequence}`,
          timestamp: e.timestampMs,
          logStream: e.stream,
          message: e.message,
        });
        const list = byDay.get(day(e.timestampMs)) ?? [];
        list.push(line);
        byDay.set(day(e.timestampMs), list);
      }
      for (const [d, lines] of byDay) await writeFile(join(dir, `${d}.log`), `${lines.join('\n')}\n`);
      logEvents += events.length;
    }
    const xray = join(this.root, 'xray');
    await mkdir(xray, { recursive: true });
    this.segments.sort((a, b) => a.startMs - b.startMs);
    const byDay = new Map<string, string[]>();
    for (const s of this.segments) {
      const list = byDay.get(day(s.startMs)) ?? [];
      list.push(s.json);
      byDay.set(day(s.startMs), list);
    }
    for (const [d, lines] of byDay) await writeFile(join(xray, `${d}.jsonl`), `${lines.join('\n')}\n`);
    return { logEvents, segments: this.segments.length };
  }
}
