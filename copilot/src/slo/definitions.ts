import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SloDefinitionError, SloError } from './errors.ts';

export const CONTENT_CLASSES = ['epub', 'audio', 'interactive', 'image'] as const;
export type ContentClass = (typeof CONTENT_CLASSES)[number];
export const CHANNELS = ['b2b', 'b2c'] as const;
export type Channel = (typeof CHANNELS)[number];
export type EventSource = 'edge' | 'api';

const MINUTES_PER_UNIT = { m: 1, h: 60, d: 1440 } as const;
// No leading zeros and no zero length: a window must cover at least one minute.
const DURATION = /^([1-9]\d*)(m|h|d)$/;

/** `"5m"`, `"6h"`, `"28d"` to whole minutes; the engine counts in minute buckets, so nothing finer exists. */
export function parseDurationMinutes(text: string): number {
  const match = DURATION.exec(text);
  if (!match)
    throw new SloError(`duration "${text}" is not <n>m, <n>h or <n>d (for example "5m", "1h", "28d")`);
  return Number(match[1]) * MINUTES_PER_UNIT[match[2] as keyof typeof MINUTES_PER_UNIT];
}

const duration = z.string().regex(DURATION, 'expected a positive duration such as "5m", "1h" or "28d"');

const ratio = z.number().gt(0, 'must be above 0').lt(1, 'must be below 1 (0.9995 means 99.95 %)');

const latencyTarget = z.strictObject({ quantile: ratio, thresholdMs: z.number().positive() });

const oneOrMany = <T extends z.ZodType>(item: T, what: string) =>
  z.union([item, z.array(item).min(1)], { error: `expected ${what}, or a non-empty list of them` });

const selectorSchema = z.strictObject({
  source: z.enum(['edge', 'api']),
  route: oneOrMany(z.string().min(1), 'a route or path class name').optional(),
  contentClass: oneOrMany(z.enum(CONTENT_CLASSES), `one of ${CONTENT_CLASSES.join(', ')}`).optional(),
  channel: oneOrMany(z.enum(CHANNELS), `one of ${CHANNELS.join(', ')}`).optional(),
});

const alertSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes'),
  long: duration,
  short: duration,
  burnRate: z.number().positive(),
  action: z.enum(['page', 'ticket']),
  /** Overrides `defaults.minEvents` for this alert. */
  minEvents: z.number().int().nonnegative().optional(),
});

const sloSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes'),
  description: z.string().min(1),
  sli: z.enum(['availability', 'latency']),
  objective: ratio.optional(),
  latency: latencyTarget.optional(),
  window: duration.optional(),
  selector: selectorSchema,
});

const catalogSchema = z.strictObject({
  $comment: z.string().optional(),
  defaults: z.strictObject({
    window: duration,
    availabilityObjective: ratio,
    latency: latencyTarget,
    currentBurnWindow: duration,
    /**
     * Minimum-traffic rule: an alert pair fires only when its long window holds at least this many valid
     * events, so a handful of requests (one error in three) never pages anyone. @default 0
     */
    minEvents: z.number().int().nonnegative().default(0),
  }),
  burnRateAlerts: z.array(alertSchema).min(1),
  pathClasses: z.array(z.strictObject({ name: z.string().min(1), prefix: z.string().startsWith('/') })),
  slos: z.array(sloSchema).min(1),
});

export type SloDefinitionsInput = z.input<typeof catalogSchema>;

export interface SloSelector {
  source: EventSource;
  routes?: readonly string[];
  contentClasses?: readonly ContentClass[];
  channels?: readonly Channel[];
}

export type SliSpec = { kind: 'availability' } | { kind: 'latency'; thresholdMs: number };

export interface SloDefinition {
  id: string;
  description: string;
  sli: SliSpec;
  /** Target fraction of good events among valid events, e.g. 0.9995, or 0.95 for a p95 latency objective. */
  objective: number;
  windowMinutes: number;
  selector: SloSelector;
}

export interface BurnRateAlert {
  name: string;
  longMinutes: number;
  shortMinutes: number;
  burnRate: number;
  action: 'page' | 'ticket';
  /** Valid events the long window needs before the alert may fire (the minimum-traffic rule). */
  minEvents: number;
}

export interface PathClass {
  name: string;
  prefix: string;
}

export interface SloDefinitions {
  slos: readonly SloDefinition[];
  alerts: readonly BurnRateAlert[];
  pathClasses: readonly PathClass[];
  /** Window whose burn rate estimates the time left until the budget is exhausted. */
  currentBurnMinutes: number;
}

const asList = <T>(value: T | T[] | undefined): readonly T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

type Catalog = z.output<typeof catalogSchema>;

function normalizeSlo(slo: Catalog['slos'][number], defaults: Catalog['defaults']): SloDefinition {
  const latency = slo.latency ?? defaults.latency;
  const sli: SliSpec =
    slo.sli === 'availability'
      ? { kind: 'availability' }
      : { kind: 'latency', thresholdMs: latency.thresholdMs };
  const objective =
    slo.sli === 'availability' ? (slo.objective ?? defaults.availabilityObjective) : latency.quantile;
  const selector: SloSelector = { source: slo.selector.source };
  const routes = asList(slo.selector.route);
  const contentClasses = asList(slo.selector.contentClass);
  const channels = asList(slo.selector.channel);
  if (routes) selector.routes = routes;
  if (contentClasses) selector.contentClasses = contentClasses;
  if (channels) selector.channels = channels;
  return {
    id: slo.id,
    description: slo.description,
    sli,
    objective,
    windowMinutes: parseDurationMinutes(slo.window ?? defaults.window),
    selector,
  };
}

/** Rules zod cannot express per field: they relate entries to each other. */
function crossCheck(catalog: Catalog): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  catalog.slos.forEach((slo, i) => {
    if (seen.has(slo.id)) problems.push(`slos.${i}.id: "${slo.id}" is defined twice; ids must be unique`);
    seen.add(slo.id);
    if (slo.sli === 'latency' && slo.objective !== undefined)
      problems.push(
        `slos.${i}.objective: a latency SLO takes its objective from latency.quantile; remove it`,
      );
    if (slo.sli === 'availability' && slo.latency !== undefined)
      problems.push(`slos.${i}.latency: an availability SLO has no latency target; remove it`);
  });
  catalog.burnRateAlerts.forEach((alert, i) => {
    if (parseDurationMinutes(alert.short) >= parseDurationMinutes(alert.long))
      problems.push(
        `burnRateAlerts.${i}: short window ${alert.short} must be shorter than long window ${alert.long}`,
      );
  });
  const names = catalog.burnRateAlerts.map((a) => a.name);
  if (new Set(names).size !== names.length) problems.push('burnRateAlerts: alert names must be unique');
  return problems;
}

/** Validates raw SLO definitions (the parsed content of slos.json) once, with every problem listed. */
export function parseSloDefinitions(raw: unknown): SloDefinitions {
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new SloDefinitionError(`invalid SLO definitions:\n  ${issues.join('\n  ')}`, issues);
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0)
    throw new SloDefinitionError(`invalid SLO definitions:\n  ${problems.join('\n  ')}`, problems);
  const { defaults } = parsed.data;
  return {
    slos: parsed.data.slos.map((slo) => normalizeSlo(slo, defaults)),
    alerts: parsed.data.burnRateAlerts.map((a) => ({
      name: a.name,
      longMinutes: parseDurationMinutes(a.long),
      shortMinutes: parseDurationMinutes(a.short),
      burnRate: a.burnRate,
      action: a.action,
      minEvents: a.minEvents ?? defaults.minEvents,
    })),
    pathClasses: parsed.data.pathClasses,
    currentBurnMinutes: parseDurationMinutes(defaults.currentBurnWindow),
  };
}

/** Path of the SLO definitions shipped with the copilot. */
export const DEFAULT_SLO_DEFINITIONS_PATH = new URL('../../slos.json', import.meta.url);

export async function loadSloDefinitions(
  path: string | URL = DEFAULT_SLO_DEFINITIONS_PATH,
): Promise<SloDefinitions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SloError(`cannot read SLO definitions at ${String(path)}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new SloDefinitionError(`SLO definitions at ${String(path)} are not valid JSON`, [], { cause });
  }
  return parseSloDefinitions(raw);
}
