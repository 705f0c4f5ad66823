import { describe, expect, it } from 'vitest';
import { closedMinuteEmf } from './emf.ts';
import { SloEngine } from './engine.ts';
import { computeSloReport } from './report.ts';
import { apiEvent, handDefinitions, MIN, minutes } from './test-support.ts';

// Minutes 0-9 clean, 10-19 half of the requests fail, 20-29 clean; 10 requests a minute.
const incident = () => minutes(0, 30, 10, (m) => (m >= 10 && m < 20 ? 5 : 0));

describe('Class: SloEngine', () => {
  describe('Method: observe (hand-computed burn-rate alerts)', () => {
    it('fires and resets each pair at the exact minutes the workbook rule gives', () => {
      // Page 10m/2m at 2x: long burn = bad/10, short = bad/2. Minute 14 closes with 25 bad in the long window
      // (2.5x) and 5 in the short (2.5x): fires at 15:00. Minute 21 closes with no bad in the short window
      // (minutes 20-21): resets at 22:00 although the long window still burns 4x.
      // Ticket 30m/10m at 1x: minute 12 closes with 15 bad of 130 (1.15x) and 15 bad of 100 (1.5x): fires at
      // 13:00; minute 27 leaves 10 bad of 100 in the short window, exactly 1x, not above: resets at 28:00.
      const report = computeSloReport(incident(), handDefinitions(), 30 * MIN);

      expect(report.transitions.map((t) => [t.alert.name, t.state, t.atMs / MIN])).toEqual([
        ['ticket', 'firing', 13],
        ['page', 'firing', 15],
        ['page', 'resolved', 22],
        ['ticket', 'resolved', 28],
      ]);
      const pageFire = report.transitions[1]!;
      expect(pageFire.long).toMatchObject({ minutes: 10, validEvents: 100, badEvents: 25 });
      expect(pageFire.long.burnRate).toBeCloseTo(2.5, 9);
      expect(pageFire.short).toMatchObject({ minutes: 2, validEvents: 20, badEvents: 10 });
      expect(pageFire.short.burnRate).toBeCloseTo(5, 9);
      expect(pageFire.firstBadMs).toBe(10 * MIN);
      const pageReset = report.transitions[2]!;
      expect(pageReset.short.badEvents).toBe(0);
      expect(pageReset.long.burnRate).toBeCloseTo(4, 9);
    });

    it('keeps the budget of the SLO window and the time to exhaustion at the current burn', () => {
      const report = computeSloReport(incident(), handDefinitions(), 30 * MIN);

      // 300 valid, 50 bad: 30 allowed, 50/30 spent, exhausted. Current 10m window is clean.
      const { budget } = report.slos[0]!;
      expect(budget).toMatchObject({
        validEvents: 300,
        badEvents: 50,
        currentBurnRate: 0,
        timeToExhaustionMs: 0,
      });
      expect(budget.consumedFraction).toBeCloseTo(5 / 3, 9);
      expect(budget.sli).toBeCloseTo(250 / 300, 12);
      expect(report.asOf).toBe(new Date(30 * MIN).toISOString());
    });

    it('estimates time to exhaustion from the current burn rate', () => {
      // 20 clean minutes then 10 minutes at 1 bad in 10: 300 valid, 10 bad of 30 allowed; current burn 1x over
      // the 10m window, so the remaining 2/3 of a 60-minute budget lasts 40 minutes.
      const events = minutes(0, 30, 10, (m) => (m >= 20 ? 1 : 0));
      const { budget } = computeSloReport(events, handDefinitions(), 30 * MIN).slos[0]!;
      expect(budget.currentBurnRate).toBeCloseTo(1, 9);
      expect(budget.remainingFraction).toBeCloseTo(2 / 3, 9);
      expect(budget.timeToExhaustionMs).toBeCloseTo(40 * MIN, 3);
    });

    it('turns firing transitions into slo_burn findings with windows and budget as evidence', () => {
      const report = computeSloReport(incident(), handDefinitions(), 30 * MIN);

      expect(report.findings).toHaveLength(2);
      const page = report.findings.find((f) => f.evidence['alert'] === 'page')!;
      expect(page).toMatchObject({
        kind: 'slo_burn',
        subject: { slo: 'access' },
        severity: 'critical',
        firstSeen: new Date(10 * MIN).toISOString(),
        detectedAt: new Date(15 * MIN).toISOString(),
        mitigation: 'page_on_call',
      });
      expect(page.evidence['windows']).toMatchObject({ long: { window: '10m' }, short: { window: '2m' } });
      expect(page.evidence['budget']).toMatchObject({ validEvents: 150, badEvents: 25 });
      expect(page.score).toBeGreaterThan(0.5);
      expect(page.score).toBeLessThanOrEqual(1);
      const ticket = report.findings.find((f) => f.evidence['alert'] === 'ticket')!;
      expect(ticket.severity).toBe('warning');
      expect(ticket.id).not.toBe(page.id);
    });

    it('gives the same report, finding ids included, when the same events are replayed', () => {
      const a = computeSloReport(incident(), handDefinitions(), 30 * MIN);
      const b = computeSloReport(incident(), handDefinitions(), 30 * MIN);
      expect(b).toEqual(a);
    });
  });

  describe('Method: observe (bad input and time)', () => {
    it('counts a late event into its own minute and the windows that cover it', () => {
      const engine = new SloEngine(handDefinitions());
      engine.observe(apiEvent(0));
      engine.observe(apiEvent(5 * MIN));
      engine.observe(apiEvent(2 * MIN, 500));
      engine.advanceTo(6 * MIN);

      expect(engine.stats.late).toBe(1);
      const tracker = engine.trackers[0]!;
      expect(tracker.budget()).toMatchObject({ validEvents: 3, badEvents: 1 });
      // The 2m window covers minutes 4-5 only.
      expect(tracker.windowBurn(tracker.windowIndex(2))).toMatchObject({ validEvents: 1, badEvents: 0 });
    });

    it('skips and counts events older than every window and events without a usable time', () => {
      const engine = new SloEngine(handDefinitions());
      engine.observe(apiEvent(100 * MIN));
      engine.observe(apiEvent(39 * MIN, 500));
      engine.observe(apiEvent(Number.NaN));

      expect(engine.stats).toMatchObject({ events: 3, matched: 1, tooLate: 1, invalid: 1 });
    });

    it('forgets everything after a silence longer than the SLO window', () => {
      const events = [...incident(), apiEvent(200 * MIN)];
      const report = computeSloReport(events, handDefinitions(), 201 * MIN);

      expect(report.slos[0]!.budget).toMatchObject({ validEvents: 1, badEvents: 0 });
      expect(report.slos[0]!.alerts.every((a) => !a.firing)).toBe(true);
    });

    it('ignores client aborts (status 0) and counts events at or after asOf without using them', () => {
      const report = computeSloReport(
        [apiEvent(0, 0), apiEvent(MIN), apiEvent(2 * MIN, 500)],
        handDefinitions(),
        2 * MIN,
      );

      expect(report.slos[0]!.budget).toMatchObject({ validEvents: 1, badEvents: 0 });
      expect(report.stats.afterAsOf).toBe(1);
    });

    it('reports an alert as firing while both windows still burn', () => {
      const report = computeSloReport(incident(), handDefinitions(), 16 * MIN);

      const page = report.slos[0]!.alerts.find((a) => a.name === 'page')!;
      expect(page).toMatchObject({ firing: true, firingSince: new Date(15 * MIN).toISOString() });
    });
  });

  describe('Method: observe (SLIs and selectors)', () => {
    it('charges slow non-5xx requests to a latency SLO and leaves 5xx and aborts out of it', () => {
      const definitions = handDefinitions({
        slos: [{ id: 'lat', description: 'fast', sli: 'latency', selector: { source: 'api' } }],
      });
      const events = [
        apiEvent(0, 200, 150),
        apiEvent(1, 200, 200),
        apiEvent(2, 404, 250),
        apiEvent(3, 503, 900),
      ];
      events.push(apiEvent(4, 0, 900));

      const { budget } = computeSloReport(events, definitions, MIN).slos[0]!;

      expect(budget).toMatchObject({ validEvents: 3, badEvents: 1 });
    });

    it('counts an event only for SLOs whose route, content class and channel all match', () => {
      const definitions = handDefinitions({
        slos: [
          { id: 'b2b', description: 'b2b', sli: 'availability', selector: { source: 'api', channel: 'b2b' } },
          {
            id: 'audio',
            description: 'audio',
            sli: 'availability',
            selector: { source: 'edge', route: 'content', contentClass: ['audio', 'epub'] },
          },
        ],
      });
      const events = [
        { ...apiEvent(0), channel: 'b2b' as const },
        { ...apiEvent(1), channel: 'b2c' as const },
        apiEvent(2),
        {
          timestampMs: 3,
          source: 'edge' as const,
          route: 'content',
          contentClass: 'audio' as const,
          status: 200,
          latencyMs: 1,
        },
        {
          timestampMs: 4,
          source: 'edge' as const,
          route: 'content',
          contentClass: 'image' as const,
          status: 200,
          latencyMs: 1,
        },
        {
          timestampMs: 5,
          source: 'edge' as const,
          route: 'catalog',
          contentClass: 'epub' as const,
          status: 200,
          latencyMs: 1,
        },
      ];

      const report = computeSloReport(events, definitions, MIN);

      expect(report.slos.map((s) => s.budget.validEvents)).toEqual([1, 1]);
      expect(report.stats.matched).toBe(2);
    });
  });
});

describe('Function: closedMinuteEmf with SloEngine onMinuteClosed', () => {
  it('publishes each closed minute with traffic once, as the metrics the CloudWatch alarms read', () => {
    const lines: string[] = [];
    const engine = new SloEngine(handDefinitions(), {
      onMinuteClosed: (m) => lines.push(closedMinuteEmf(m)),
    });
    for (const event of minutes(0, 2, 3, (m) => m)) engine.observe(event);
    engine.advanceTo(5 * MIN);

    const documents = lines.map((line) => JSON.parse(line));
    expect(documents.map((d) => [d._aws.Timestamp, d.Slo, d.ValidEvents, d.BadEvents])).toEqual([
      [0, 'access', 3, 0],
      [MIN, 'access', 3, 1],
    ]);
    expect(documents[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Boundless/Slo',
      Dimensions: [['Slo']],
    });
  });
});
