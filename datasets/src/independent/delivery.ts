/**
 * How an hour's log lines reach the log bucket. CloudFront consolidates each period's lines from the edge locations
 * that served them and may save several files for one period; a line's `time` is when its response finished, and
 * lines are not promised in time order within a file. Two options model that: each line is placed as if it
 * reached the log up to `disorderSeconds` after its time (its timestamp unchanged), and `edgeFiles` writes one file
 * per edge location an hour instead of one. Placement is a hash of the line's own text, never a draw, so the same
 * seed gives the same requests whatever the options.
 */
import { hash32 } from './draw.ts';

export interface Delivery {
  /** Lines are placed up to this many seconds after their time (0: in time order). */
  disorderSeconds: number;
  /** One file per edge location an hour instead of one file an hour. */
  edgeFiles: boolean;
}

export interface LogLine {
  /** The request's time, epoch ms. */
  t: number;
  edge: string;
  text: string;
}

/** One file's lines: `edge` names the edge location when files are per edge, '' for the hour's one file. */
export interface DeliveredFile {
  edge: string;
  lines: string[];
}

/** The files an hour's lines (in time order) are delivered in, each file's lines in the order they were logged. */
export function deliver(lines: readonly LogLine[], delivery: Delivery, seed: number): DeliveredFile[] {
  const spread = delivery.disorderSeconds * 1000;
  const placed =
    spread > 0
      ? lines
          .map((line, i) => ({ line, i, at: line.t + (hash32(line.text, seed) / 2 ** 32) * spread }))
          .sort((a, b) => a.at - b.at || a.i - b.i)
          .map((p) => p.line)
      : lines;
  if (!delivery.edgeFiles) return [{ edge: '', lines: placed.map((l) => l.text) }];
  const byEdge = new Map<string, string[]>();
  for (const line of placed) {
    const file = byEdge.get(line.edge);
    if (file) file.push(line.text);
    else byEdge.set(line.edge, [line.text]);
  }
  return [...byEdge.keys()].sort().map((edge) => ({ edge, lines: byEdge.get(edge)! }));
}
