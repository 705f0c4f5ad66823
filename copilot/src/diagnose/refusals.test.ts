import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../telemetry/types.ts';
import { refusalLinesToSetAside, targetedRefusals } from './refusals.ts';
import { Timeline } from './timeline.ts';

const EDGE = '/aws/cloudfront/E1';
const FUNCTION = '/aws/cloudfront/function/viewer';
let n = 0;
const request = (ip: string, t: number, status: number): LogRecord => ({
  group: EDGE,
  stream: 'E1',
  id: String(n++),
  timestampMs: t,
  message: JSON.stringify({ 'c-ip': ip, 'sc-status': status }),
  kind: 'structured',
  text: `c-ip=${ip}`,
  status,
});
const refusalLine = (t: number, text: string): LogRecord => ({
  group: FUNCTION,
  stream: 'f',
  id: String(n++),
  timestampMs: t,
  message: JSON.stringify({ level: 'WARN', message: text }),
  kind: 'structured',
  text,
  level: 'warn',
});
const componentOf = (r: LogRecord) => r.group;
const timeline = new Timeline(0, 400_000 - 1, 10_000);

/** Five readers served all window long, one request each every 4 s; from 200 s on, `late` requests too. */
function traffic(late: (t: number, i: number) => LogRecord[]): LogRecord[] {
  const out: LogRecord[] = [];
  for (let t = 0; t < 400_000; t += 4000) {
    const i = t / 4000;
    out.push(request(`10.0.0.${i % 5}`, t, 200));
    if (t >= 200_000) out.push(...late(t, i));
  }
  return out;
}

describe('Function: targetedRefusals', () => {
  it('sets aside refusals a few clients receive while the others are served as before', () => {
    const logs = traffic((t) => [request('203.0.113.7', t + 1, 403)]);
    const [judged, ...more] = targetedRefusals(logs, componentOf, timeline);
    expect(more).toHaveLength(0);
    expect(judged?.component).toBe(EDGE);
    expect(judged?.clients).toEqual(['203.0.113.7']);
    expect(judged?.ordinaryAfter).toBe(0);
    expect(judged?.events.every((e) => e.status === 403)).toBe(true);
  });

  it('keeps refusals that ordinary clients receive (a key that no longer verifies)', () => {
    // Every reader refused on half of their requests: no few clients take 80 % of the refusals.
    const logs = traffic((t, i) => [request(`10.0.0.${i % 5}`, t + 1, i % 2 === 0 ? 403 : 200)]);
    expect(targetedRefusals(logs, componentOf, timeline)).toEqual([]);
  });

  it('keeps refusals when the few clients refused are most of the clients (nothing to compare with)', () => {
    const logs: LogRecord[] = [];
    for (let t = 0; t < 400_000; t += 2000)
      logs.push(request(`10.0.0.${(t / 2000) % 2}`, t, t >= 200_000 ? 403 : 200));
    expect(targetedRefusals(logs, componentOf, timeline)).toEqual([]);
  });
});

describe('Function: refusalLinesToSetAside', () => {
  it("sets aside another component's lines about the same refusals, never those naming a signature", () => {
    const logs = traffic((t) => [
      request('203.0.113.7', t + 1, 403),
      refusalLine(t + 1, 'token refused: denied'),
    ]);
    logs.push(refusalLine(300_000, 'token refused: bad signature'));
    const targeted = targetedRefusals(logs, componentOf, timeline);
    const aside = refusalLinesToSetAside(logs, componentOf, targeted, timeline.bucketMs);
    const lines = logs.filter((r) => r.group === FUNCTION);
    expect(aside.size).toBe(lines.length - 1);
    expect([...aside].every((r) => r.text === 'token refused: denied')).toBe(true);
  });

  it('keeps refusal lines far more numerous than the refusals set aside', () => {
    const logs = traffic((t) => [
      request('203.0.113.7', t + 1, 403),
      ...Array.from({ length: 4 }, (_, k) => refusalLine(t + 2 + k, 'access denied')),
    ]);
    const targeted = targetedRefusals(logs, componentOf, timeline);
    expect(targeted).toHaveLength(1);
    expect(refusalLinesToSetAside(logs, componentOf, targeted, timeline.bucketMs).size).toBe(0);
  });
});
