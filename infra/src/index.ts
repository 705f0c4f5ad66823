export { type BoundlessStacks, defineStacks, STACK_NAMES } from './app-builder.ts';
export {
  type DeploymentContext,
  type DeploymentContextInput,
  PRIMARY_REGION,
  resolveContext,
} from './context.ts';
export { InfraConfigError, InfraError } from './errors.ts';
export {
  type CloudFormationTemplate,
  createApp,
  type StackTemplates,
  type SynthOptions,
  synthTemplates,
} from './synth.ts';
export {
  diffStackTemplates,
  diffTemplates,
  type IamChangeRow,
  type PropertyChange,
  type ResourceAction,
  type ResourceChange,
  type StackDiff,
  type TemplatesDiff,
} from './template-diff.ts';
export {
  CACHE_PATH_PATTERNS,
  type CachePathPattern,
  DEFAULT_TUNABLES_PATH,
  loadTunables,
  parseTunables,
  type Tunables,
  type TunablesInput,
  tunablesSchema,
} from './tunables.ts';
export { planDiffOf, type TunablesPlanner, tunablesPlanner } from './change-plans.ts';
