import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../sim/rng.ts';
import { containersEstate, deliveryEstate } from './estate.ts';
import { INCIDENT_FAULT_KINDS, parseFaultArgument } from './faults.ts';
import { generateIncident } from './generate.ts';
import { loadScenarios, resolveTarget } from './scenario.ts';

async function digest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (path: string) => {
    for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else hash.update(entry.name).update(await readFile(full));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

describe('Incident scenarios', () => {
  it('cover every fault kind and the no-fault conditions, each resolvable in its estate', async () => {
    const catalog = await loadScenarios();
    const kinds = new Set(catalog.scenarios.flatMap((s) => (s.fault ? [s.fault.kind] : [])));
    expect([...kinds].sort()).toEqual([...INCIDENT_FAULT_KINDS].sort());
    expect(catalog.scenarios.filter((s) => s.expect === null).length).toBeGreaterThanOrEqual(4);
    for (const s of catalog.scenarios) {
      const estate = s.estate === 'delivery' ? deliveryEstate(1) : containersEstate(1);
      if (s.fault)
        expect(estate.components.has(resolveTarget(estate, s.fault.target ?? '@entry', new Rng(1)))).toBe(
          true,
        );
    }
    expect(new Set([...catalog.seeds.dev, ...catalog.seeds.validation]).size).toBe(
      catalog.seeds.dev.length + catalog.seeds.validation.length,
    );
  });

  it('parse a fault as typed on a command line, and refuse unknown ones', () => {
    expect(parseFaultArgument('throttling:DynamoDB:5m')).toMatchObject({
      kind: 'throttling',
      target: 'DynamoDB',
      durationMs: 300_000,
    });
    expect(parseFaultArgument('cold_start_storm')).toMatchObject({
      kind: 'cold_start_storm',
      durationMs: 600_000,
    });
    expect(() => parseFaultArgument('meltdown')).toThrow(/unknown fault "meltdown"/);
    expect(() => parseFaultArgument('throttling:x:5 minutes')).toThrow(/duration/);
  });

  it('write the same bytes for the same scenario and seed, in the telemetry layout, with the answer outside it', async () => {
    const catalog = await loadScenarios();
    const scenario = catalog.scenarios.find((s) => s.id === 'containers-leaf-errors')!;
    const a = await generateIncident(scenario, 5, await mkdtemp(join(tmpdir(), 'incident-')));
    const b = await generateIncident(scenario, 5, await mkdtemp(join(tmpdir(), 'incident-')));
    expect(await digest(a.dir)).toBe(await digest(b.dir));
    expect((await readdir(a.dir)).sort()).toEqual(['answer.json', 'case.json', 'telemetry']);
    expect((await readdir(a.telemetryDir)).sort()).toEqual(['logs', 'xray']);
    expect(a.expect).toEqual({ component: a.fault!.target, fault: 'dependency_error' });
    expect(a.logEvents).toBeGreaterThan(1000);
  });
});
