import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { type BoundlessStacks, defineStacks } from './app-builder.ts';
import type { DeploymentContextInput } from './context.ts';
import { InfraError } from './errors.ts';
import type { Tunables } from './tunables.ts';

/** A synthesized CloudFormation template, as JSON. */
export type CloudFormationTemplate = Record<string, unknown> & { Resources?: Record<string, unknown> };

/** Templates by stack name (`BoundlessDelivery`, ...), in deployment order. */
export type StackTemplates = Record<string, CloudFormationTemplate>;

export interface SynthOptions {
  /** Deployment context over the defaults (`account`, `replicaRegion`, ...). */
  readonly context?: DeploymentContextInput;
  /**
   * Bundle the Lambda code with esbuild. Off, function code is a placeholder asset, which is all a template
   * diff needs and keeps synthesis at about a second. @default false
   */
  readonly bundling?: boolean;
  /** Run cdk-nag's AwsSolutions checks; a finding without a reason fails synthesis. @default false */
  readonly nag?: boolean;
  /** Run aws-cdk-lib's built-in CloudFormation validation (a WASM linter, ~10 s of CPU). @default false */
  readonly validate?: boolean;
  /** Keep the cloud assembly here instead of a temporary directory removed afterwards. */
  readonly outdir?: string;
}

/**
 * cdk.json's context: the lookups it answers for the placeholder account and the feature flags, so that
 * synthesis in process gives the templates `cdk synth` gives. A real account's lookups are cached by the CLI in
 * cdk.context.json (commit it).
 */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../cdk.json', import.meta.url), 'utf8'),
).context;

/** The CDK app for these tunables, with the options `synthTemplates` and the tests share. */
export function createApp(
  tunables: Tunables,
  options: SynthOptions & { outdir: string },
): { app: App; stacks: BoundlessStacks } {
  const app = new App({
    outdir: options.outdir,
    builtinCloudFormationValidation: options.validate ?? false,
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      // Construct stack traces cost a third of synthesis and only serve debugging.
      'aws:cdk:disable-stack-trace': true,
      // Construct paths in the templates name the resources of a diff, as `cdk diff` shows them.
      'aws:cdk:enable-path-metadata': true,
    },
  });
  const stacks = defineStacks(app, {
    tunables,
    ...(options.context ? { context: options.context } : {}),
    nag: options.nag ?? false,
  });
  return { app, stacks };
}

/**
 * Synthesizes every stack for these tunables, in process and offline, and returns the templates by stack
 * name: the before and after of a change set are two calls with two tunables.
 */
export function synthTemplates(tunables: Tunables, options: SynthOptions = {}): StackTemplates {
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'boundless-synth-'));
  try {
    const { app, stacks } = createApp(tunables, { ...options, outdir });
    let assembly: ReturnType<App['synth']>;
    try {
      assembly = app.synth();
    } catch (cause) {
      throw new InfraError(`synthesis failed: ${(cause as Error).message}`, { cause });
    }
    const templates: StackTemplates = {};
    for (const stack of Object.values(stacks)) {
      templates[stack.stackName] = assembly.getStackByName(stack.stackName)
        .template as CloudFormationTemplate;
    }
    return templates;
  } finally {
    if (!options.outdir) rmSync(outdir, { recursive: true, force: true });
  }
}
