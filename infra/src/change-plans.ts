import { type DocumentPlanner, hashOf, type PlanDiff } from '@boundless/copilot/changes';
import { validateTunables } from './plan-thread.ts';
import { type StackTemplates, type SynthOptions, synthTemplates } from './synth.ts';
import { diffTemplates, type TemplatesDiff } from './template-diff.ts';
import { parseTunables } from './tunables.ts';

/**
 * What a change to the tunables means for the deployed system: both versions synthesized offline, and the
 * CloudFormation diff between them (resources, replacements, deletions, the security-changes table) as the
 * change set stores, hashes and tiers it. Syntheses are kept for the last few versions, so the re-plan at apply
 * time (which must find the approved diff again) costs nothing when the base has not moved.
 */
export interface TunablesPlanner extends DocumentPlanner {
  templatesFor(content: unknown): StackTemplates;
}

export function tunablesPlanner(options: { synth?: SynthOptions; keep?: number } = {}): TunablesPlanner {
  const keep = options.keep ?? 4;
  const syntheses = new Map<string, StackTemplates>();
  const templatesFor = (content: unknown): StackTemplates => {
    const key = hashOf(content);
    const known = syntheses.get(key);
    if (known) {
      syntheses.delete(key);
      syntheses.set(key, known);
      return known;
    }
    const templates = synthTemplates(parseTunables(content), options.synth ?? {});
    syntheses.set(key, templates);
    while (syntheses.size > keep) syntheses.delete(syntheses.keys().next().value as string);
    return templates;
  };
  return {
    validate: validateTunables,
    async diff(before, after) {
      return planDiffOf(diffTemplates(templatesFor(before), templatesFor(after)));
    },
    templatesFor,
  };
}

/** The template diff as plain, hashable data: every stack's resources and texts, headed by the stack name. */
export function planDiffOf(diff: TemplatesDiff): PlanDiff {
  const changed = diff.stacks.filter((stack) => stack.differenceCount > 0);
  return {
    text: changed.map((stack) => `Stack ${stack.stack}\n${stack.text.trimEnd()}`).join('\n\n'),
    securityText: changed
      .filter((stack) => stack.securityText.trim() !== '')
      .map((stack) => `Stack ${stack.stack}\n${stack.securityText.trimEnd()}`)
      .join('\n\n'),
    differenceCount: diff.differenceCount,
    resources: changed.flatMap((stack) =>
      stack.resources.map((r) => ({
        stack: r.stack,
        logicalId: r.logicalId,
        ...(r.path ? { path: r.path } : {}),
        type: r.type,
        action: r.action,
        properties: r.properties.map((p) => ({
          property: p.property,
          impact: p.impact,
          before: p.before ?? null,
          after: p.after ?? null,
        })),
      })),
    ),
    ownerReasons: [...diff.ownerReasons],
    iamBroadened: diff.iamBroadened,
    replacements: diff.replacements.length,
    deletions: diff.deletions.length,
  };
}
