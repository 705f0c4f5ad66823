import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Rng } from '../sim/rng.ts';
import type { Estate } from './estate.ts';
import { faultSpecSchema, INCIDENT_FAULT_KINDS, NO_FAULT_CONDITIONS } from './faults.ts';

/** Incident scenarios as data (`datasets/incidents/scenarios.json`): an estate, a fault or a no-fault condition, and the expected answer. */
export const DEFAULT_SCENARIOS_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../incidents/scenarios.json',
);

const scenarioSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/),
    estate: z.enum(['delivery', 'containers']),
    fault: faultSpecSchema.partial({ intensity: true, durationMs: true }).optional(),
    condition: z.enum(NO_FAULT_CONDITIONS).optional(),
    expect: z.strictObject({ component: z.string(), fault: z.enum(INCIDENT_FAULT_KINDS) }).nullable(),
  })
  .refine((s) => (s.fault === undefined) !== (s.condition === undefined), {
    message: 'a scenario has either a fault or a no-fault condition',
  })
  .refine((s) => (s.expect === null) === (s.fault === undefined), {
    message: 'a fault scenario expects a component and kind; a no-fault scenario expects null',
  });

const catalogSchema = z.strictObject({
  $comment: z.string().optional(),
  seeds: z.strictObject({ dev: z.array(z.number().int()), validation: z.array(z.number().int()) }),
  scenarios: z.array(scenarioSchema).min(1),
});

export type IncidentScenario = z.output<typeof scenarioSchema>;
export type ScenarioCatalog = z.output<typeof catalogSchema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export async function loadScenarios(path = DEFAULT_SCENARIOS_PATH): Promise<ScenarioCatalog> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new ScenarioError(`cannot read incident scenarios from ${path}: ${reason}`, { cause });
  }
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScenarioError(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Resolves a role (`@leaf`, `@db`, ...) to one of the estate's component names; a plain name must exist. */
export function resolveTarget(estate: Estate, target: string, rng: Rng): string {
  const names = [...estate.components.values()];
  const called = new Set<string>();
  const collect = (node: { component: string; children: { component: string; children: unknown[] }[] }) => {
    for (const child of node.children) {
      called.add(child.component);
      collect(child as never);
    }
  };
  for (const endpoint of estate.endpoints) collect(endpoint.root);
  const roots = new Set(estate.endpoints.map((e) => e.root.component));
  const of = (test: (c: (typeof names)[number]) => boolean) =>
    names
      .filter(test)
      .map((c) => c.name)
      .sort();
  const pools: Record<string, string[]> = {
    '@entry': [...estate.endpoints]
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 1)
      .map((e) => e.root.component),
    '@mid': of(
      (c) =>
        c.runtime === 'container' &&
        called.has(c.name) &&
        !roots.has(c.name) &&
        hasContainerChild(estate, c.name),
    ),
    '@leaf': of((c) => c.runtime === 'container' && called.has(c.name) && !hasContainerChild(estate, c.name)),
    '@db': of((c) => c.runtime === 'managed' && (c.operations ?? []).includes('SELECT')),
    '@api': of((c) => c.runtime === 'managed' && (c.operations ?? []).includes('POST')),
    '@table': of((c) => c.runtime === 'managed' && c.namespace === 'aws'),
    '@edge': of((c) => c.runtime === 'edge'),
    '@edge-function': of((c) => c.runtime === 'edge_function'),
  };
  if (!target.startsWith('@')) {
    if (!estate.components.has(target))
      throw new ScenarioError(`no component "${target}" in the ${estate.archetype} estate`);
    return target;
  }
  const pool = pools[target];
  if (!pool) throw new ScenarioError(`unknown role ${target}`);
  if (pool.length === 0)
    throw new ScenarioError(`the ${estate.archetype} estate has no component for ${target}`);
  return rng.pick(pool);
}

function hasContainerChild(estate: Estate, name: string): boolean {
  let found = false;
  const walk = (node: { component: string; children: { component: string; children: unknown[] }[] }) => {
    if (node.component === name)
      found ||= node.children.some((c) => estate.components.get(c.component)?.runtime === 'container');
    for (const child of node.children) walk(child as never);
  };
  for (const endpoint of estate.endpoints) walk(endpoint.root);
  return found;
}
