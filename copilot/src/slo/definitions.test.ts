import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadSloDefinitions,
  parseDurationMinutes,
  parseSloDefinitions,
  type SloDefinitionsInput,
} from './definitions.ts';
import { SloDefinitionError, SloError } from './errors.ts';

function minimal(): SloDefinitionsInput {
  return {
    defaults: {
      window: '28d',
      availabilityObjective: 0.9995,
      latency: { quantile: 0.95, thresholdMs: 200 },
      currentBurnWindow: '1h',
    },
    burnRateAlerts: [{ name: 'fast-burn', long: '1h', short: '5m', burnRate: 14.4, action: 'page' }],
    pathClasses: [],
    slos: [
      {
        id: 'api',
        description: 'api up',
        sli: 'availability',
        selector: { source: 'api', route: 'POST /v1/access' },
      },
    ],
  };
}

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseSloDefinitions(raw);
  } catch (error) {
    if (error instanceof SloDefinitionError) return error.issues;
    throw error;
  }
  throw new Error('expected the definitions to be rejected');
}

describe('Function: parseDurationMinutes', () => {
  it('reads minutes, hours and days', () => {
    expect(parseDurationMinutes('5m')).toBe(5);
    expect(parseDurationMinutes('6h')).toBe(360);
    expect(parseDurationMinutes('28d')).toBe(40_320);
  });

  it('rejects seconds with a message naming the value', () => {
    expect(() => parseDurationMinutes('30s')).toThrow(/"30s"/);
  });
});

describe('Function: loadSloDefinitions', () => {
  it('loads the shipped slos.json with the architecture defaults', async () => {
    const definitions = await loadSloDefinitions();

    const access = definitions.slos.find((s) => s.id === 'access-api-availability')!;
    expect(access.objective).toBe(0.9995);
    expect(access.windowMinutes).toBe(28 * 1440);
    expect(access.selector).toEqual({ source: 'api', routes: ['POST /v1/access'] });
    const epub = definitions.slos.find((s) => s.id === 'edge-epub-latency')!;
    expect(epub.sli).toEqual({ kind: 'latency', thresholdMs: 200 });
    expect(epub.objective).toBe(0.95);
    expect(definitions.alerts.map((a) => [a.longMinutes, a.shortMinutes, a.burnRate, a.action])).toEqual([
      [60, 5, 14.4, 'page'],
      [360, 30, 6, 'page'],
      [1440, 120, 3, 'ticket'],
      [4320, 360, 1, 'ticket'],
    ]);
    expect(definitions.currentBurnMinutes).toBe(60);
  });

  it('names the file when it is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slo-defs-'));
    const path = join(dir, 'slos.json');
    await writeFile(path, '{ not json');
    await expect(loadSloDefinitions(path)).rejects.toThrow(/slos\.json are not valid JSON/);
  });

  it('fails with SloError on a missing file', async () => {
    await expect(loadSloDefinitions('/nonexistent/slos.json')).rejects.toBeInstanceOf(SloError);
  });
});

describe('Function: parseSloDefinitions', () => {
  it('applies per-SLO overrides over the defaults', () => {
    const raw = minimal();
    raw.slos.push({
      id: 'lat',
      description: 'fast',
      sli: 'latency',
      latency: { quantile: 0.99, thresholdMs: 500 },
      window: '7d',
      selector: { source: 'edge', contentClass: ['audio', 'image'], channel: 'b2b' },
    });
    const slo = parseSloDefinitions(raw).slos[1]!;
    expect(slo).toMatchObject({
      objective: 0.99,
      sli: { kind: 'latency', thresholdMs: 500 },
      windowMinutes: 10_080,
    });
    expect(slo.selector).toEqual({ source: 'edge', contentClasses: ['audio', 'image'], channels: ['b2b'] });
  });

  it('explains a percentage given where a fraction is expected', () => {
    const raw = minimal();
    raw.defaults.availabilityObjective = 99.95;
    expect(problemsOf(raw)).toEqual([
      'defaults.availabilityObjective: must be below 1 (0.9995 means 99.95 %)',
    ]);
  });

  it('lists every problem at once: bad duration, unknown key, unknown content class', () => {
    const raw = minimal() as Record<string, unknown> & SloDefinitionsInput;
    raw.defaults.window = '4w';
    (raw.slos[0]!.selector as Record<string, unknown>)['contentClass'] = 'video';
    (raw as Record<string, unknown>)['extra'] = true;
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/defaults\.window: expected a positive duration/);
    expect(problems.join('\n')).toMatch(
      /slos\.0\.selector\.contentClass: expected one of epub, audio, interactive, image/,
    );
    expect(problems.join('\n')).toMatch(/extra/);
  });

  it('rejects duplicate ids, a short window not shorter than the long one, and misplaced targets', () => {
    const raw = minimal();
    raw.slos.push({ ...raw.slos[0]!, latency: { quantile: 0.9, thresholdMs: 1 } });
    raw.burnRateAlerts.push({ name: 'odd', long: '5m', short: '1h', burnRate: 2, action: 'ticket' });
    expect(problemsOf(raw)).toEqual([
      'slos.1.id: "api" is defined twice; ids must be unique',
      'slos.1.latency: an availability SLO has no latency target; remove it',
      'burnRateAlerts.1: short window 1h must be shorter than long window 5m',
    ]);
  });
});
