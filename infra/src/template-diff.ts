import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import {
  formatDifferences,
  formatSecurityChanges,
  fullDiff,
  ResourceImpact,
  type TemplateDiff,
} from '@aws-cdk/cloudformation-diff';
import type { CloudFormationTemplate, StackTemplates } from './synth.ts';

/**
 * The difference between two syntheses, as plain data (what a change set stores, hashes and tiers on) and as
 * the text `cdk diff` prints, both from `@aws-cdk/cloudformation-diff`.
 */

export type ResourceAction =
  | 'create'
  | 'update'
  | 'replace'
  | 'may_replace'
  | 'destroy'
  | 'orphan'
  | 'import';

export interface PropertyChange {
  readonly property: string;
  readonly impact: ResourceAction | 'none';
  readonly before: unknown;
  readonly after: unknown;
}

export interface ResourceChange {
  readonly stack: string;
  readonly logicalId: string;
  /** The construct path (`BoundlessDelivery/Edge/Cache-titles`) when the template names it. */
  readonly path: string | undefined;
  readonly type: string;
  readonly action: ResourceAction;
  readonly properties: readonly PropertyChange[];
}

/**
 * One IAM statement or managed-policy row of the security-changes table (`+` added, `-` removed), cells by
 * column (Resource, Effect, Action, Principal, Condition; for policies Resource, Managed Policy ARN), each
 * cell's lines as a list. A rewritten statement is one removal and one addition.
 */
export interface IamChangeRow {
  readonly change: '+' | '-';
  readonly kind: 'statement' | 'managed_policy';
  readonly cells: Readonly<Record<string, readonly string[]>>;
}

export interface StackDiff {
  readonly stack: string;
  readonly differenceCount: number;
  readonly resources: readonly ResourceChange[];
  /** Resources CloudFormation will (or may) replace: a new physical resource, its data not carried over. */
  readonly replacements: readonly ResourceChange[];
  readonly deletions: readonly ResourceChange[];
  /** Resources that leave the template but stay in the account (a retention policy), such as old versions. */
  readonly orphans: readonly ResourceChange[];
  readonly iam: {
    readonly changed: boolean;
    readonly broadened: boolean;
    readonly rows: readonly IamChangeRow[];
  };
  readonly securityGroups: { readonly changed: boolean; readonly broadened: boolean };
  /** The security-changes table as `cdk diff` prints it ('' when there is none). */
  readonly securityText: string;
  /** The whole diff as `cdk diff` prints it, without colours. */
  readonly text: string;
}

export interface TemplatesDiff {
  readonly stacks: readonly StackDiff[];
  readonly differenceCount: number;
  readonly replacements: readonly ResourceChange[];
  readonly deletions: readonly ResourceChange[];
  readonly iamBroadened: boolean;
  /**
   * Why the change needs an owner's approval: replacement, deletion, broadened IAM or network access.
   * "Broadened" is cloudformation-diff's: any added statement or managed policy, so a rewritten statement
   * counts even when it grants less.
   */
  readonly ownerReasons: readonly string[];
  readonly text: string;
}

const ACTIONS: Partial<Record<ResourceImpact, ResourceAction>> = {
  [ResourceImpact.WILL_CREATE]: 'create',
  [ResourceImpact.WILL_UPDATE]: 'update',
  [ResourceImpact.WILL_REPLACE]: 'replace',
  [ResourceImpact.MAY_REPLACE]: 'may_replace',
  [ResourceImpact.WILL_DESTROY]: 'destroy',
  [ResourceImpact.WILL_ORPHAN]: 'orphan',
  [ResourceImpact.WILL_IMPORT]: 'import',
};

function pathsOf(...templates: CloudFormationTemplate[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const template of templates) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const path = (resource as { Metadata?: Record<string, unknown> }).Metadata?.['aws:cdk:path'];
      if (typeof path === 'string') paths[logicalId] = path;
    }
  }
  return paths;
}

/** Renders through a formatter of the library into a string. */
function render(write: (stream: NodeJS.WritableStream & { columns?: number }) => void): string {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { columns: 160 },
  );
  write(stream);
  return stripVTControlCharacters(text);
}

function iamRows(diff: TemplateDiff): IamChangeRow[] {
  const rows: IamChangeRow[] = [];
  const read = (table: string[][], kind: IamChangeRow['kind']) => {
    const [header, ...body] = table;
    if (!header) return;
    const names = header.map((h, i) => (i === 0 ? 'change' : stripVTControlCharacters(h)));
    for (const row of body) {
      const cells: Record<string, string[]> = {};
      row.forEach((cell, i) => {
        const text = stripVTControlCharacters(cell);
        if (i > 0) cells[names[i]!] = text === '' ? [] : text.split('\n');
      });
      rows.push({ change: stripVTControlCharacters(row[0] ?? '').trim() === '-' ? '-' : '+', kind, cells });
    }
  };
  if (diff.iamChanges.hasChanges) {
    read(diff.iamChanges.summarizeStatements(), 'statement');
    read(diff.iamChanges.summarizeManagedPolicies(), 'managed_policy');
  }
  return rows;
}

/** Diffs one stack's templates. A stack that did not exist before is diffed against an empty template. */
export function diffStackTemplates(
  stack: string,
  before: CloudFormationTemplate | undefined,
  after: CloudFormationTemplate | undefined,
): StackDiff {
  const diff = fullDiff(before ?? {}, after ?? {});
  const paths = pathsOf(before ?? {}, after ?? {});
  const resources: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    const action = ACTIONS[change.changeImpact];
    if (!action) return;
    resources.push({
      stack,
      logicalId,
      path: paths[logicalId],
      type: change.newResourceType ?? change.oldResourceType ?? 'unknown',
      action,
      properties: Object.entries(change.propertyUpdates).map(([property, update]) => ({
        property,
        impact: (update.changeImpact && ACTIONS[update.changeImpact]) || 'none',
        before: update.oldValue,
        after: update.newValue,
      })),
    });
  });
  const text = diff.isEmpty ? '' : render((stream) => formatDifferences(stream, diff, paths));
  const securityText =
    diff.iamChanges.hasChanges || diff.securityGroupChanges.hasChanges
      ? render((stream) => formatSecurityChanges(stream, diff, paths))
      : '';
  return {
    stack,
    differenceCount: diff.differenceCount,
    resources,
    replacements: resources.filter((r) => r.action === 'replace' || r.action === 'may_replace'),
    deletions: resources.filter((r) => r.action === 'destroy'),
    orphans: resources.filter((r) => r.action === 'orphan'),
    iam: {
      changed: diff.iamChanges.hasChanges,
      broadened: diff.iamChanges.permissionsBroadened,
      rows: iamRows(diff),
    },
    securityGroups: {
      changed: diff.securityGroupChanges.hasChanges,
      broadened: diff.securityGroupChanges.rulesAdded,
    },
    securityText,
    text,
  };
}

/** Diffs every stack of two syntheses (stacks present in either), in the order of `after` then `before`. */
export function diffTemplates(before: StackTemplates, after: StackTemplates): TemplatesDiff {
  const names = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  const stacks = names.map((name) => diffStackTemplates(name, before[name], after[name]));
  const replacements = stacks.flatMap((s) => s.replacements);
  const deletions = stacks.flatMap((s) => s.deletions);
  const ownerReasons: string[] = [];
  for (const r of replacements)
    ownerReasons.push(
      `${r.stack}: ${r.path ?? r.logicalId} (${r.type}) ${r.action === 'replace' ? 'will' : 'may'} be replaced`,
    );
  for (const r of deletions)
    ownerReasons.push(`${r.stack}: ${r.path ?? r.logicalId} (${r.type}) will be deleted`);
  for (const s of stacks) {
    if (s.iam.broadened) ownerReasons.push(`${s.stack}: IAM permissions are broadened`);
    if (s.securityGroups.broadened) ownerReasons.push(`${s.stack}: security group rules are added`);
  }
  const text = stacks
    .filter((s) => s.differenceCount > 0)
    .map((s) => `Stack ${s.stack}\n${s.securityText}${s.text}`)
    .join('\n');
  return {
    stacks,
    differenceCount: stacks.reduce((n, s) => n + s.differenceCount, 0),
    replacements,
    deletions,
    iamBroadened: stacks.some((s) => s.iam.broadened),
    ownerReasons,
    text,
  };
}
